"""The console's sandbox list: one query for a page of an org's sandboxes with their
repository, person and upstream outbox state, filtered and ordered in SQL.

Activity is ``last_active_at``, else ``created_at`` (a sandbox never opened since it was
started); the newest activity comes first. Never reads git: ahead/behind is the domain's,
for the rows shown only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from draftroom.store.models import RepositoryRecord, Sandbox, SandboxStatus, User
from draftroom.store.outbox import OutboxEntry, OutboxState


@dataclass(frozen=True)
class SandboxFilter:
    """What the list keeps; None keeps everything. ``idle_since``: no activity after it."""

    org_id: int
    repository_id: int | None = None
    user_id: int | None = None
    status: SandboxStatus | None = None
    idle_since: datetime | None = None


@dataclass(frozen=True)
class SandboxRow:
    id: int
    repository_id: int
    repo_name: str
    repo_path: str
    branch: str
    status: SandboxStatus
    project_name: str | None
    created_at: datetime
    active_at: datetime
    person_email: str | None
    person_name: str | None
    upstream_state: OutboxState | None
    upstream_error: str | None


def _activity() -> ColumnElement[datetime]:
    return func.coalesce(Sandbox.last_active_at, Sandbox.created_at)


def _conditions(where: SandboxFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [RepositoryRecord.org_id == where.org_id]
    if where.repository_id is not None:
        conditions.append(Sandbox.repository_id == where.repository_id)
    if where.user_id is not None:
        conditions.append(Sandbox.created_for_user_id == where.user_id)
    if where.status is not None:
        conditions.append(Sandbox.status == where.status)
    if where.idle_since is not None:
        # The coalesce spelled out, so the last_active_at index can serve it.
        cutoff = where.idle_since
        never = and_(Sandbox.last_active_at.is_(None), Sandbox.created_at <= cutoff)
        conditions.append(or_(Sandbox.last_active_at <= cutoff, never))
    return conditions


def count_console_sandboxes(session: Session, where: SandboxFilter) -> int:
    query = (
        select(func.count())
        .select_from(Sandbox)
        .join(RepositoryRecord, RepositoryRecord.id == Sandbox.repository_id)
        .where(*_conditions(where))
    )
    return session.scalar(query) or 0


def _page_ids(session: Session, where: SandboxFilter, offset: int, limit: int) -> list[int]:
    ids = (
        select(Sandbox.id)
        .join(RepositoryRecord, RepositoryRecord.id == Sandbox.repository_id)
        .where(*_conditions(where))
        .order_by(_activity().desc(), Sandbox.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(session.scalars(ids))


def console_sandboxes(
    session: Session, where: SandboxFilter, *, offset: int = 0, limit: int = 50
) -> list[SandboxRow]:
    """One page of the org's sandboxes matching ``where``, newest activity first.

    Two steps: the page's ids (a narrow sort), then their rows with person and outbox
    state, so the joins run for the page only, not for every sandbox of the org.
    """
    page = _page_ids(session, where, offset, limit)
    if not page:
        return []
    query = (
        select(
            Sandbox,
            RepositoryRecord.name,
            RepositoryRecord.path,
            User.email,
            User.name,
            OutboxEntry.state,
            OutboxEntry.last_error,
        )
        .join(RepositoryRecord, RepositoryRecord.id == Sandbox.repository_id)
        .outerjoin(User, User.id == Sandbox.created_for_user_id)
        .outerjoin(
            OutboxEntry,
            and_(
                OutboxEntry.repository_id == Sandbox.repository_id,
                OutboxEntry.branch == Sandbox.branch,
            ),
        )
        .where(Sandbox.id.in_(page))
    )
    rows = session.execute(query).all()
    order = {sandbox_id: position for position, sandbox_id in enumerate(page)}
    rows = sorted(rows, key=lambda row: order[row[0].id])
    return [
        SandboxRow(
            id=sandbox.id,
            repository_id=sandbox.repository_id,
            repo_name=repo_name,
            repo_path=repo_path,
            branch=sandbox.branch,
            status=sandbox.status,
            project_name=sandbox.project_name,
            created_at=sandbox.created_at,
            active_at=sandbox.last_active_at or sandbox.created_at,
            person_email=email,
            person_name=name,
            upstream_state=state,
            upstream_error=error,
        )
        for sandbox, repo_name, repo_path, email, name, state, error in rows
    ]
