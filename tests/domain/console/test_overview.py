"""The overview's read model on both databases: hours, windows, scope by role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.calls import Principal
from draftroom.domain.console.overview import HOURS, HourCache, read_overview
from draftroom.store import Database
from tests.support.audit import add_audit_event

NOW = datetime(2026, 12, 4, 0, 30, tzinfo=UTC)
"""Half past midnight: the last 24 hours span two days."""


def _person(session: Session, org_id: int, email: str, role: str) -> Principal:
    user = store.add_user(session, org_id, email, role)  # type: ignore[arg-type]
    return Principal(
        api_key_id=f"console:{user.id}",
        org_id=org_id,
        role="person",
        user_id=user.id,
        person_role=role,
        signed_in=True,
    )


def _call(
    session: Session,
    who: Principal,
    at: datetime,
    tool: str = "files.read",
    outcome: str = "ok",
    commit_sha: str | None = None,
) -> None:
    event = add_audit_event(
        session,
        request_id="r",
        tool=tool,
        outcome=outcome,  # type: ignore[arg-type]
        duration_ms=1.0,
        commit_sha=commit_sha,
        error_code="conflict" if outcome == "error" else None,
        org_id=who.org_id,
        user_id=who.user_id,
    )
    event.at = at


def _world(session: Session) -> tuple[Principal, Principal, Principal]:
    """An org with an owner and a member, another org's owner, and their activity."""
    org = store.get_or_create_org(session, "acme").id
    owner, member = _person(session, org, "o@x", "owner"), _person(session, org, "m@x", "member")
    stranger = _person(session, store.add_org(session, "other").id, "s@x", "owner")
    repo = store.add_repository(session, org, "site", "/site").id
    theirs = store.add_repository(session, stranger.org_id, "site", "/other").id
    for n, (who, ago) in enumerate(
        [(member, 1), (member, 30), (owner, 2), (owner, 24 * 6), (owner, 24 * 8), (None, 3)]
    ):
        sandbox = store.add_sandbox(
            session, repo, f"sandbox-{n}", None, created_for_user_id=who and who.user_id
        )
        sandbox.last_active_at = NOW - timedelta(hours=ago)
    other = store.add_sandbox(session, theirs, "sandbox-x", None)
    other.last_active_at = NOW
    mine = store.get_sandbox(session, repo, "sandbox-0")
    assert mine is not None
    for sandbox_id, repository_id in [(mine.id, repo), (other.id, theirs)]:
        store.add_merge_request(
            session,
            repository_id=repository_id,
            sandbox_id=sandbox_id,
            branch="b",
            title="t",
            source_sha="0" * 40,
            preview={},
        )
    for state, branch in [("failed", "sandbox-0"), ("diverged", "main"), ("pending", "sandbox-2")]:
        store.enqueue_outbox(session, repo, branch, "1" * 40)
        entry = store.get_outbox_entry(session, repo, branch)
        assert entry is not None
        entry.state = state  # type: ignore[assignment]
    store.enqueue_outbox(session, theirs, "sandbox-x", "1" * 40)
    # Across midnight: 23:59:59 and 00:00:00 fall in two hours, both within the last 24 h.
    _call(session, member, datetime(2026, 12, 3, 23, 59, 59, 999999, tzinfo=UTC))
    _call(session, member, datetime(2026, 12, 4, 0, 0, tzinfo=UTC), outcome="error")
    _call(session, member, datetime(2026, 12, 4, 0, 10, tzinfo=UTC), "git.commit", commit_sha="a")
    _call(session, owner, datetime(2026, 12, 4, 0, 20, tzinfo=UTC), "sandbox.undo", commit_sha="b")
    # "Today" starts with the hour 23 hours before the current one; the week 167 hours before.
    _call(session, owner, datetime(2026, 12, 3, 1, tzinfo=UTC))
    _call(session, owner, datetime(2026, 12, 3, 0, 59, 59, 999999, tzinfo=UTC), outcome="error")
    _call(session, owner, datetime(2026, 11, 28, 5, 0, tzinfo=UTC), "git.restore", commit_sha="c")
    _call(session, owner, datetime(2026, 11, 27, 1, tzinfo=UTC))
    _call(session, owner, datetime(2026, 11, 27, 0, 59, 59, 999999, tzinfo=UTC))  # too old
    _call(session, owner, NOW + timedelta(minutes=1))  # after "now"
    _call(session, stranger, NOW - timedelta(minutes=5), outcome="error")
    return owner, member, stranger


def test_owner_sees_the_orgs_numbers_by_hour_across_midnight(database: Database) -> None:
    with database.session() as session:
        owner, _, _ = _world(session)
    with database.session() as session:
        seen = read_overview(session, owner, NOW)
    assert seen.everyone
    assert (seen.active_today, seen.active_this_week) == (3, 5)
    assert (seen.day.calls, seen.day.failed, seen.day.commits, seen.day.rollbacks) == (5, 1, 1, 1)
    assert (seen.week.calls, seen.week.failed, seen.week.commits) == (8, 2, 1)
    assert seen.week.rollbacks == 2
    assert seen.week.failure_rate == 2 / 8
    assert seen.merge_requests_waiting == 1
    assert seen.upstream == {"pending": 1, "failed": 1, "diverged": 1}
    assert len(seen.hours) == HOURS
    assert seen.hours[-1].start == datetime(2026, 12, 4, 0, tzinfo=UTC)
    assert seen.hours[0].start == datetime(2026, 11, 27, 1, tzinfo=UTC)
    assert (seen.hours[-1].calls, seen.hours[-1].failed) == (3, 1)
    assert (seen.hours[-2].start.hour, seen.hours[-2].calls) == (23, 1)
    by_start = {hour.start: (hour.calls, hour.failed) for hour in seen.hours if hour.calls}
    assert by_start == {
        datetime(2026, 12, 4, 0, tzinfo=UTC): (3, 1),
        datetime(2026, 12, 3, 23, tzinfo=UTC): (1, 0),
        datetime(2026, 12, 3, 1, tzinfo=UTC): (1, 0),
        datetime(2026, 12, 3, 0, tzinfo=UTC): (1, 1),
        datetime(2026, 11, 28, 5, tzinfo=UTC): (1, 0),
        datetime(2026, 11, 27, 1, tzinfo=UTC): (1, 0),
    }


def test_member_sees_only_their_own_work(database: Database) -> None:
    with database.session() as session:
        _, member, _ = _world(session)
    with database.session() as session:
        seen = read_overview(session, member, NOW)
    assert not seen.everyone
    assert (seen.active_today, seen.active_this_week) == (1, 2)
    assert (seen.day.calls, seen.day.failed, seen.day.commits, seen.day.rollbacks) == (3, 1, 1, 0)
    assert seen.week == seen.day
    assert seen.merge_requests_waiting == 1
    assert seen.upstream == {"pending": 0, "failed": 1, "diverged": 0}
    assert sum(hour.calls for hour in seen.hours) == 3


def test_another_orgs_owner_sees_none_of_it(database: Database) -> None:
    with database.session() as session:
        _, _, stranger = _world(session)
    with database.session() as session:
        seen = read_overview(session, stranger, NOW)
    assert (seen.active_today, seen.week.calls, seen.week.failed) == (1, 1, 1)
    assert seen.merge_requests_waiting == 1
    assert seen.upstream == {"pending": 1, "failed": 0, "diverged": 0}


def test_an_empty_org_reads_as_zeros(database: Database) -> None:
    with database.session() as session:
        org = store.get_or_create_org(session, "acme").id
        owner = _person(session, org, "o@x", "owner")
    with database.session() as session:
        seen = read_overview(session, owner, NOW)
    assert (seen.active_today, seen.week.calls, seen.week.failure_rate) == (0, 0, 0.0)
    assert all(hour.calls == 0 for hour in seen.hours) and len(seen.hours) == HOURS


def test_finished_hours_are_read_once_and_the_current_one_every_time(database: Database) -> None:
    with database.session() as session:
        owner, member, _ = _world(session)
    cache = HourCache()
    with database.session() as session:
        first = read_overview(session, owner, NOW, cache)
        assert first.hours == read_overview(session, owner, NOW).hours
        _call(session, member, datetime(2026, 12, 3, 22, tzinfo=UTC))  # a finished hour
        _call(session, member, NOW - timedelta(minutes=1))  # the current hour
    later = NOW + timedelta(seconds=30)
    with database.session() as session:
        assert read_overview(session, owner, later, cache).week.calls == first.week.calls + 1
        assert read_overview(session, owner, later).week.calls == first.week.calls + 2
        # A member's numbers are cached apart from the org's.
        assert read_overview(session, member, later, cache).week.calls == 5
        # Two hours on, the week has moved: its first hour left, the hour of NOW is finished.
        moved = NOW + timedelta(hours=2)
        cached, fresh = (
            read_overview(session, owner, moved, cache),
            read_overview(session, owner, moved),
        )
    assert cached.hours[0].start == fresh.hours[0].start == datetime(2026, 11, 27, 3, tzinfo=UTC)
    # Lost: the first hour's call; found: the current hour's and the one made after NOW.
    assert cached.week.calls == fresh.week.calls - 1 == first.week.calls + 1
