"""The upstream outbox: one row per (repository, branch) still owed to the upstream.

A row says which head to push, how often it failed and when to try again. Pushing a branch
head pushes every commit under it in order, so one row per branch is enough and per-branch
order comes for free. Rows are claimed with a lease (a conditional ``UPDATE``), so several
server processes can drain one outbox without pushing the same branch at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    case,
    exists,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from draftroom.store.conflicts import is_unique_violation
from draftroom.store.models import Base, RepositoryRecord
from draftroom.store.timestamps import UTCDateTime, utc_now

OutboxState = Literal["pending", "synced", "failed", "diverged"]


class OutboxEntry(Base):
    """A branch whose local head the upstream may not have yet.

    ``generation`` grows with every enqueue, so a push that finishes cannot mark the branch
    clean when a commit arrived while it ran.
    """

    __tablename__ = "upstream_outbox"
    __table_args__ = (
        UniqueConstraint("repository_id", "branch"),
        CheckConstraint("state IN ('pending', 'synced', 'failed', 'diverged')", name="state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    repository_id: Mapped[int] = mapped_column(ForeignKey("repositories.id", ondelete="CASCADE"))
    branch: Mapped[str] = mapped_column(String(255))
    target_sha: Mapped[str | None] = mapped_column(String(64))
    pushed_sha: Mapped[str | None] = mapped_column(String(64))
    generation: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[OutboxState] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pull_request_url: Mapped[str | None] = mapped_column(String(400))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


def get_outbox_entry_by_id(session: Session, entry_id: int) -> OutboxEntry | None:
    return session.get(OutboxEntry, entry_id)


def get_outbox_entry(session: Session, repository_id: int, branch: str) -> OutboxEntry | None:
    query = select(OutboxEntry).where(
        OutboxEntry.repository_id == repository_id, OutboxEntry.branch == branch
    )
    return session.scalars(query).one_or_none()


def list_outbox(session: Session, repository_id: int) -> Sequence[OutboxEntry]:
    query = (
        select(OutboxEntry)
        .where(OutboxEntry.repository_id == repository_id)
        .order_by(OutboxEntry.branch)
    )
    return session.scalars(query).all()


def due_outbox(session: Session, now: datetime, limit: int = 20) -> Sequence[OutboxEntry]:
    """Rows whose push is due and not leased to a live worker, oldest due first."""
    query = (
        select(OutboxEntry)
        .where(
            OutboxEntry.next_attempt_at.is_not(None),
            OutboxEntry.next_attempt_at <= now,
            OutboxEntry.state != "diverged",
            or_(OutboxEntry.lease_until.is_(None), OutboxEntry.lease_until < now),
        )
        .order_by(OutboxEntry.next_attempt_at, OutboxEntry.id)
        .limit(limit)
    )
    return session.scalars(query).all()


def lease_outbox_entry(
    session: Session, entry_id: int, owner: str, now: datetime, until: datetime
) -> bool:
    """Lease one row to ``owner``; False when another worker holds a live lease on it or on
    another branch of its repository: one pusher per repository at a time, on any node.

    On PostgreSQL the repository's row is locked first, so two nodes leasing two branches
    of one repository at once take turns and the second sees the first's lease; SQLite's
    one writer gives the same order (the ``UPDATE`` is the transaction's first write).
    """
    row = select(OutboxEntry.repository_id).where(OutboxEntry.id == entry_id).scalar_subquery()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(RepositoryRecord.id).where(RepositoryRecord.id == row).with_for_update()
        )
    other = aliased(OutboxEntry)
    busy = exists().where(
        other.repository_id == OutboxEntry.repository_id,
        other.id != OutboxEntry.id,
        other.lease_until >= now,
    )
    result = session.execute(
        update(OutboxEntry)
        .where(
            OutboxEntry.id == entry_id,
            or_(OutboxEntry.lease_until.is_(None), OutboxEntry.lease_until < now),
            ~busy,
        )
        .values(lease_owner=owner, lease_until=until)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


def enqueue_outbox(session: Session, repository_id: int, branch: str, sha: str) -> None:
    """Note that ``branch`` now has head ``sha`` to push; due now unless it is backing off.

    One statement, so it composes with a concurrent push finishing on another process.
    A diverged branch keeps its state: it waits for an admin, not for the next commit.
    """
    now = utc_now()
    values = {
        "target_sha": sha,
        "generation": OutboxEntry.generation + 1,
        "updated_at": now,
        "state": case((OutboxEntry.state == "synced", "pending"), else_=OutboxEntry.state),
        "next_attempt_at": case(
            (OutboxEntry.state == "diverged", OutboxEntry.next_attempt_at),
            (
                or_(OutboxEntry.attempts == 0, OutboxEntry.next_attempt_at.is_(None)),
                now,
            ),
            else_=OutboxEntry.next_attempt_at,
        ),
    }
    where = (OutboxEntry.repository_id == repository_id, OutboxEntry.branch == branch)
    statement = update(OutboxEntry).where(*where).values(values)
    if _rowcount(session.execute(statement.execution_options(synchronize_session=False))):
        return
    try:
        with session.begin_nested():
            session.add(
                OutboxEntry(
                    repository_id=repository_id,
                    branch=branch,
                    target_sha=sha,
                    generation=1,
                    next_attempt_at=now,
                    updated_at=now,
                )
            )
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        session.execute(statement.execution_options(synchronize_session=False))


def finish_push(
    session: Session, entry_id: int, owner: str, *, pushed_sha: str | None, generation: int
) -> None:
    """Record a push of ``pushed_sha``; the row stays due if a commit arrived meanwhile."""
    now = utc_now()
    unchanged = OutboxEntry.generation == generation
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.id == entry_id, OutboxEntry.lease_owner == owner)
        .values(
            pushed_sha=pushed_sha,
            attempts=0,
            last_error=None,
            lease_owner=None,
            lease_until=None,
            updated_at=now,
            state=case((unchanged, "synced"), else_="pending"),
            next_attempt_at=case((unchanged, None), else_=now),
        )
        .execution_options(synchronize_session=False)
    )


def fail_push(
    session: Session, entry_id: int, owner: str, *, error: str, retry_at: datetime
) -> None:
    """Record a failed attempt; the commit stays local and the push is retried at ``retry_at``."""
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.id == entry_id, OutboxEntry.lease_owner == owner)
        .values(
            attempts=OutboxEntry.attempts + 1,
            last_error=error,
            state="failed",
            next_attempt_at=retry_at,
            lease_owner=None,
            lease_until=None,
            updated_at=utc_now(),
        )
        .execution_options(synchronize_session=False)
    )


def mark_diverged(session: Session, entry_id: int, owner: str | None, *, error: str) -> None:
    """Stop pushing a branch the upstream moved on its own; only an admin resolves it."""
    where = [OutboxEntry.id == entry_id]
    if owner is not None:
        where.append(OutboxEntry.lease_owner == owner)
    session.execute(
        update(OutboxEntry)
        .where(*where)
        .values(
            state="diverged",
            last_error=error,
            next_attempt_at=None,
            lease_owner=None,
            lease_until=None,
            updated_at=utc_now(),
        )
        .execution_options(synchronize_session=False)
    )


def mark_resolved(session: Session, entry_id: int, *, pushed_sha: str) -> None:
    """After an admin's resolution the upstream holds ``pushed_sha``; pushing resumes."""
    now = utc_now()
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.id == entry_id)
        .values(
            state="pending",
            pushed_sha=pushed_sha,
            attempts=0,
            last_error=None,
            next_attempt_at=now,
            lease_owner=None,
            lease_until=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0))
