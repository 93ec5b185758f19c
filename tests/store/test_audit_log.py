from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session
from tests.support.audit import add_audit_event

from draftroom.store import (
    Database,
    commit_times_since,
    count_commits_since,
    failed_token_checks_since,
    list_audit_events,
)


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


def _row(session: Session, at: datetime, **fields: Any) -> None:
    event = add_audit_event(
        session, request_id="r", tool="git.commit", duration_ms=1.0, **{"outcome": "ok", **fields}
    )
    event.at = at


def test_commits_since_count_only_one_tokens_audited_commits_on_its_branch(
    database: Database,
) -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    mine = {"repo": "site", "branch": "gpt/a", "token_id": "tok"}
    with database.session() as session:
        for second in (1, 2, 3):
            _row(session, start + timedelta(seconds=second), commit_sha="a" * 40, **mine)
        _row(session, start - timedelta(seconds=1), commit_sha="b" * 40, **mine)  # too old
        _row(session, start + timedelta(seconds=4), **mine)  # no commit
        _row(session, start + timedelta(seconds=5), outcome="error", commit_sha="c" * 40, **mine)
        _row(
            session, start + timedelta(seconds=6), commit_sha="d" * 40, **{**mine, "token_id": "x"}
        )
        _row(session, start + timedelta(seconds=7), commit_sha="e" * 40, **{**mine, "branch": "b"})
    with database.session() as session:
        assert count_commits_since(session, since=start, **mine) == 3
        times = commit_times_since(session, since=start, **mine)
        assert times == [start + timedelta(seconds=s) for s in (1, 2, 3)]


def test_failed_token_checks_are_the_repo_less_rows_of_that_code(database: Database) -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    with database.session() as session:
        _row(session, start + timedelta(seconds=2), outcome="error", error_code="unauthorized",
             api_key_id="k2", detail={"client": "10.0.0.1"})  # fmt: skip
        _row(session, start + timedelta(seconds=1), outcome="error", error_code="unauthorized",
             api_key_id="k1")  # fmt: skip
        _row(session, start + timedelta(seconds=3), outcome="error", error_code="unauthorized",
             repo="site", branch="gpt/a")  # fmt: skip
        _row(session, start + timedelta(seconds=4), outcome="error", error_code="token_expired")
        _row(session, start - timedelta(seconds=1), outcome="error", error_code="unauthorized")
    with database.session() as session:
        rows = failed_token_checks_since(session, start, "unauthorized")
    assert [(key, detail) for _, key, detail in rows] == [
        ("k1", None),
        ("k2", {"client": "10.0.0.1"}),
    ]
