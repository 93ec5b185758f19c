from __future__ import annotations

from datetime import UTC, datetime

from draftroom.store import Database, add_audit_event, list_audit_events


def test_audit_event_round_trips(database: Database) -> None:
    with database.session() as session:
        add_audit_event(
            session,
            request_id="req-1",
            tool="git.commit",
            outcome="ok",
            duration_ms=12.5,
            api_key_id="abcdefghijkl",
            token_id="mnopqrstuvwx",
            repo="site",
            branch="gpt/a",
            commit_sha="a" * 40,
            detail={"transport": "http", "files": 2},
        )
    with database.session() as session:
        (event,) = list_audit_events(session)
        assert (event.tool, event.outcome, event.duration_ms) == ("git.commit", "ok", 12.5)
        assert event.detail == {"transport": "http", "files": 2}
        assert event.error_code is None
        assert event.at.tzinfo == UTC


def test_missing_detail_is_stored_as_null(database: Database) -> None:
    with database.session() as session:
        add_audit_event(session, request_id="r", tool="t", outcome="ok", duration_ms=1)
    with database.session() as session:
        assert list_audit_events(session)[0].detail is None


def test_audit_events_are_listed_newest_first_and_filtered(database: Database) -> None:
    with database.session() as session:
        for n, (repo, branch, outcome) in enumerate(
            [("site", "gpt/a", "ok"), ("site", "gpt/b", "error"), ("blog", "gpt/a", "ok")] * 2
        ):
            add_audit_event(
                session,
                request_id=f"r{n}",
                tool="git.commit",
                outcome=outcome,  # type: ignore[arg-type]
                duration_ms=1.0,
                repo=repo,
                branch=branch,
                commit_sha=f"{n}" * 40,
            )
    with database.session() as session:
        assert [e.request_id for e in list_audit_events(session)] == [
            "r5", "r4", "r3", "r2", "r1", "r0"
        ]  # fmt: skip
        assert [e.request_id for e in list_audit_events(session, limit=2)] == ["r5", "r4"]
        site_a = list_audit_events(session, repo="site", branch="gpt/a")
        assert [e.request_id for e in site_a] == ["r3", "r0"]
        errors = list_audit_events(session, outcome="error")
        assert [e.request_id for e in errors] == ["r4", "r1"]
        by_commit = list_audit_events(session, commit_sha="2" * 40)
        assert [e.request_id for e in by_commit] == ["r2"]


def test_equal_times_are_ordered_by_insertion(database: Database) -> None:
    at = datetime(2024, 1, 1, tzinfo=UTC)
    with database.session() as session:
        for n in range(3):
            event = add_audit_event(
                session, request_id=f"r{n}", tool="t", outcome="ok", duration_ms=1
            )
            event.at = at
    with database.session() as session:
        assert [e.request_id for e in list_audit_events(session)] == ["r2", "r1", "r0"]
