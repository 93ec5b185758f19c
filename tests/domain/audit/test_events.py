from __future__ import annotations

from draftroom.domain.audit import REDACTED, record_event
from draftroom.store import Database, list_audit_events

KEY = b"k" * 32


def test_record_event_with_a_database_commits_on_its_own(database: Database) -> None:
    event = record_event(
        database,
        KEY,
        request_id="req-1",
        tool="git.commit",
        outcome="error",
        duration_ms=3.25,
        repo="site",
        branch="gpt/a",
        error_code="stale_head",
    )
    assert event.id is not None
    with database.session() as session:
        (stored,) = list_audit_events(session)
        assert (stored.tool, stored.outcome, stored.error_code) == (
            "git.commit",
            "error",
            "stale_head",
        )


def test_record_event_survives_the_rollback_of_the_failed_call(database: Database) -> None:
    try:
        with database.session():
            raise RuntimeError("tool failed")
    except RuntimeError:
        record_event(database, KEY, request_id="r", tool="t", outcome="error", duration_ms=1)
    with database.session() as session:
        assert len(list_audit_events(session)) == 1


def test_record_event_in_a_session_joins_its_unit_of_work(database: Database) -> None:
    try:
        with database.session() as session:
            record_event(session, KEY, request_id="r", tool="t", outcome="ok", duration_ms=1)
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    with database.session() as session:
        assert list_audit_events(session) == []


def test_recorded_events_are_listed_newest_first(database: Database) -> None:
    for n in range(3):
        record_event(database, KEY, request_id=f"r{n}", tool="t", outcome="ok", duration_ms=n)
    with database.session() as session:
        assert [e.request_id for e in list_audit_events(session)] == ["r2", "r1", "r0"]


def test_credentials_in_detail_are_redacted(database: Database) -> None:
    token = "drt_abcdefghijkl_" + "x" * 43
    record_event(
        database,
        KEY,
        request_id="r",
        tool="sandbox.init",
        outcome="ok",
        duration_ms=1,
        detail={"transport": "mcp", "args": {"reuse_token": token}, "list": [f"Bearer {token}"]},
    )
    with database.session() as session:
        (event,) = list_audit_events(session)
    assert event.detail == {
        "transport": "mcp",
        "args": {"reuse_token": REDACTED},
        "list": [REDACTED],
    }
