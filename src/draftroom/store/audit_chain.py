"""The audit chain's heads: per org, the last chained row and its hash, and the rows a
chain walk reads.

``lock_chain_head`` takes the head's row lock (PostgreSQL) or the database's write lock
(SQLite) before a row is chained, so concurrent writers, workers and nodes chain one at a
time, in commit order. ``org_key`` is the org's id, or 0 for rows that name no org (a call
whose key was not recognised).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from draftroom.store.models import AuditEvent, Base
from draftroom.store.timestamps import UTCDateTime, utc_now

NO_ORG = 0


class AuditChainHead(Base):
    """Where an org's chain ends; ``legacy_*``: rows written before chaining began (still
    in the table); ``archived_*``: where the chain continues after retention."""

    __tablename__ = "audit_chain_heads"

    org_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int | None] = mapped_column(BigInteger)
    last_hash: Mapped[str | None] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    legacy_max_id: Mapped[int] = mapped_column(BigInteger, default=0)
    legacy_count: Mapped[int] = mapped_column(BigInteger, default=0)
    archived_until_id: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    """Rows up to this id were archived (``domain.audit.retention``) and removed."""
    archived_hash: Mapped[str | None] = mapped_column(String(64))
    """The hash of the last chained row archived: where the remaining chain starts."""
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def lock_chain_head(session: Session, org_key: int) -> AuditChainHead:
    """The head of ``org_key``'s chain, locked until the session commits (created if new).

    The locking no-op ``UPDATE`` returns the row it locked: one statement on every call."""
    touch = (
        update(AuditChainHead)
        .where(AuditChainHead.org_key == org_key)
        .values(count=AuditChainHead.count)
        .returning(AuditChainHead)
        .execution_options(populate_existing=True)
    )
    head = session.scalars(touch).one_or_none()
    if head is None:
        try:
            with session.begin_nested():
                session.add(AuditChainHead(org_key=org_key, count=0))
        except IntegrityError:
            pass  # another writer created it first; the update below waits for its lock
        head = session.scalars(touch).one()
    return head


def advance_chain_head(head: AuditChainHead, event: AuditEvent) -> None:
    assert event.hash is not None
    head.last_id, head.last_hash = event.id, event.hash
    head.count += 1
    head.updated_at = utc_now()


def get_chain_head(session: Session, org_key: int) -> AuditChainHead | None:
    return session.get(AuditChainHead, org_key)


def chain_heads(session: Session, org_key: int | None = None) -> list[AuditChainHead]:
    query = select(AuditChainHead).order_by(AuditChainHead.org_key)
    if org_key is not None:
        query = query.where(AuditChainHead.org_key == org_key)
    return list(session.scalars(query))


def chained_rows(session: Session, org_key: int, chunk: int = 1000) -> Iterator[AuditEvent]:
    """Every row of ``org_key`` after its legacy rows, in id order, ``chunk`` at a time."""
    head = session.get(AuditChainHead, org_key)
    after = head.legacy_max_id if head is not None else 0
    org = AuditEvent.org_id == org_key if org_key != NO_ORG else AuditEvent.org_id.is_(None)
    while True:
        query = select(AuditEvent).where(org, AuditEvent.id > after)
        rows = list(session.scalars(query.order_by(AuditEvent.id).limit(chunk)))
        yield from rows
        if len(rows) < chunk:
            return
        after = rows[-1].id
        for row in rows:  # keep memory flat: the session forgets the rows it handed out
            session.expunge(row)


def expired_rows(
    session: Session, org_key: int, before: datetime, until_id: int | None, limit: int
) -> list[AuditEvent]:
    """The oldest rows of ``org_key``, in id order, up to the first written at or after
    ``before`` (and not past ``until_id`` when given): what retention may archive."""
    org = AuditEvent.org_id == org_key if org_key != NO_ORG else AuditEvent.org_id.is_(None)
    query = select(AuditEvent).where(org)
    if until_id is not None:
        query = query.where(AuditEvent.id <= until_id)
    rows = list(session.scalars(query.order_by(AuditEvent.id).limit(limit)))
    kept = []
    for row in rows:
        if row.at >= before:
            break
        kept.append(row)
    return kept


def delete_audit_rows(session: Session, ids: list[int]) -> None:
    session.execute(delete(AuditEvent).where(AuditEvent.id.in_(ids)))


def legacy_row_count(session: Session, org_key: int, max_id: int) -> int:
    org = AuditEvent.org_id == org_key if org_key != NO_ORG else AuditEvent.org_id.is_(None)
    query = select(func.count()).select_from(AuditEvent).where(org, AuditEvent.id <= max_id)
    return int(session.scalar(query) or 0)
