"""The overview's hour buckets: truncated in UTC on both databases, whatever the session's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from tests.support.audit import add_audit_event

from draftroom import store
from draftroom.store import Database

MIDNIGHT = datetime(2026, 12, 4, tzinfo=UTC)


def test_calls_fall_in_utc_hours_even_in_a_half_hour_time_zone(database: Database) -> None:
    with database.session() as session:
        org = store.get_or_create_org(session, "acme").id
        for offset in (-1, 0, 1, 3599, 3600):  # seconds from midnight (UTC)
            event = add_audit_event(
                session, request_id="r", tool="t", outcome="ok", duration_ms=1, org_id=org
            )
            event.at = MIDNIGHT + timedelta(seconds=offset)
    with database.session() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SET TIME ZONE 'Asia/Kolkata'"))
        day = timedelta(days=1)
        rows = store.calls_by_hour(session, org, MIDNIGHT - day, MIDNIGHT + day)
    found = sorted((row.hour, row.calls) for row in rows)
    assert found == [
        (MIDNIGHT - timedelta(hours=1), 1),
        (MIDNIGHT, 3),
        (MIDNIGHT + timedelta(hours=1), 1),
    ]
    assert all(row.hour.tzinfo is UTC for row in rows)


def test_rollbacks_are_not_counted_as_commits(database: Database) -> None:
    with database.session() as session:
        org = store.get_or_create_org(session, "acme").id
        for tool, sha, outcome in [
            ("git.commit", "a", "ok"),
            ("git.commit", None, "error"),
            ("git.rollback_commit", "b", "ok"),
            ("sandbox.undo", None, "error"),
            ("git.restore", "c", "ok"),
        ]:
            add_audit_event(
                session,
                request_id="r",
                tool=tool,
                outcome=outcome,  # type: ignore[arg-type]
                duration_ms=1,
                commit_sha=sha,
                org_id=org,
            )
    with database.session() as session:
        now = datetime.now(UTC)
        rows = store.calls_by_hour(session, org, now - timedelta(hours=2), now)
    totals = [sum(getattr(row, name) for row in rows) for name in ("calls", "failed")]
    totals += [sum(row.commits for row in rows), sum(row.rollbacks for row in rows)]
    assert totals == [5, 2, 1, 2]
