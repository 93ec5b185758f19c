"""The console overview's counts: calls by hour, active sandboxes, waiting merge requests and
the upstream outbox, each one aggregate query for one org (or one person of it).

Every query is bounded by time or state and finds its rows by index: audit rows by
``(org_id, at)``, sandboxes by ``last_active_at``, merge requests by
``(repository_id, status)``. Hours are truncated in SQL (``date_trunc`` on PostgreSQL,
``strftime`` on SQLite), always in UTC, so at most one row per hour comes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from draftroom.store.models import AuditEvent, MergeRequest, RepositoryRecord, Sandbox
from draftroom.store.outbox import OutboxEntry

ROLLBACK_TOOLS = ("git.rollback_commit", "sandbox.undo", "git.restore")
"""Calls that undo work: counted as rollbacks, not as commits."""


@dataclass(frozen=True)
class HourOfCalls:
    """Calls in one hour (``hour`` its start, UTC); ``recent`` splits the hour that straddles
    the caller's ``recent_since``: its calls at or after that time come in their own row."""

    hour: datetime
    recent: bool
    calls: int
    failed: int
    commits: int
    rollbacks: int


def _hour(session: Session) -> ColumnElement[object]:
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("hour", func.timezone("UTC", AuditEvent.at))
    return func.strftime("%Y-%m-%d %H:00:00", AuditEvent.at)


def _as_hour(value: object) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def calls_by_hour(
    session: Session,
    org_id: int,
    since: datetime,
    until: datetime,
    recent_since: datetime,
    user_id: int | None = None,
) -> list[HourOfCalls]:
    """The org's calls (one person's, with ``user_id``) from ``since`` up to ``until``, by
    hour."""
    ok = AuditEvent.outcome == "ok"
    rollback = AuditEvent.tool.in_(ROLLBACK_TOOLS)
    where = [AuditEvent.org_id == org_id, AuditEvent.at >= since, AuditEvent.at <= until]
    if user_id is not None:
        where.append(AuditEvent.user_id == user_id)
    # Flags per row in a subquery, so GROUP BY names its columns rather than repeating
    # expressions with bound parameters (PostgreSQL would see them as different expressions).
    rows = (
        select(
            _hour(session).label("hour"),
            case((AuditEvent.at >= recent_since, 1), else_=0).label("recent"),
            case((AuditEvent.outcome == "error", 1), else_=0).label("failed"),
            case((and_(ok, AuditEvent.commit_sha.is_not(None), ~rollback), 1), else_=0).label(
                "commit"
            ),
            case((and_(ok, rollback), 1), else_=0).label("rollback"),
        )
        .where(*where)
        .subquery()
    )
    query = select(
        rows.c.hour,
        rows.c.recent,
        func.count(),
        func.sum(rows.c.failed),
        func.sum(rows.c.commit),
        func.sum(rows.c.rollback),
    ).group_by(rows.c.hour, rows.c.recent)
    return [
        HourOfCalls(_as_hour(at), bool(new), calls, failed or 0, commits or 0, undone or 0)
        for at, new, calls, failed, commits, undone in session.execute(query)
    ]


def _sandbox_scope(org_id: int, user_id: int | None) -> list[ColumnElement[bool]]:
    where = [RepositoryRecord.org_id == org_id]
    if user_id is not None:
        where.append(Sandbox.created_for_user_id == user_id)
    return where


def active_sandboxes(
    session: Session, org_id: int, times: Sequence[datetime], user_id: int | None = None
) -> list[int]:
    """How many of the org's (one person's) sandboxes were active at or after each of
    ``times``: one query over the ``last_active_at`` index from the earliest of them."""
    if not times:
        return []
    columns = [func.sum(case((Sandbox.last_active_at >= at, 1), else_=0)) for at in times]
    query = (
        select(*columns)
        .join(RepositoryRecord, RepositoryRecord.id == Sandbox.repository_id)
        .where(Sandbox.last_active_at >= min(times), *_sandbox_scope(org_id, user_id))
    )
    row = session.execute(query).one()
    return [int(value or 0) for value in row]


def count_waiting_merge_requests(session: Session, org_id: int, user_id: int | None = None) -> int:
    """Pending merge requests of the org (of one person's sandboxes)."""
    query = (
        select(func.count())
        .select_from(MergeRequest)
        .join(RepositoryRecord, RepositoryRecord.id == MergeRequest.repository_id)
        .where(RepositoryRecord.org_id == org_id, MergeRequest.status == "pending")
    )
    if user_id is not None:
        query = query.join(Sandbox, Sandbox.id == MergeRequest.sandbox_id).where(
            Sandbox.created_for_user_id == user_id
        )
    return session.scalar(query) or 0


def count_outbox_states(
    session: Session, org_id: int, user_id: int | None = None
) -> dict[str, int]:
    """state -> branches of the org (one person's sandbox branches) owed to the upstream
    (``synced`` rows are left out: nothing is owed)."""
    query = (
        select(OutboxEntry.state, func.count())
        .join(RepositoryRecord, RepositoryRecord.id == OutboxEntry.repository_id)
        .where(RepositoryRecord.org_id == org_id, OutboxEntry.state != "synced")
        .group_by(OutboxEntry.state)
    )
    if user_id is not None:
        query = query.join(
            Sandbox,
            and_(
                Sandbox.repository_id == OutboxEntry.repository_id,
                Sandbox.branch == OutboxEntry.branch,
            ),
        ).where(Sandbox.created_for_user_id == user_id)
    return {state: count for state, count in session.execute(query)}
