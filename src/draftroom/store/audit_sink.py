"""Where each audit sink stands: the last row delivered per org (``audit_sink_cursors``),
and which process delivers now (``audit_sink_leases``, so nodes never deliver twice at
once). The audit table itself is the outbox: a row stays until delivered."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import BigInteger, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from draftroom.store.leases import claim_row_lease
from draftroom.store.models import Base
from draftroom.store.timestamps import UTCDateTime, utc_now


class AuditSinkCursor(Base):
    __tablename__ = "audit_sink_cursors"

    sink_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(BigInteger, default=0)


class AuditSinkLease(Base):
    __tablename__ = "audit_sink_leases"

    sink_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    until: Mapped[datetime] = mapped_column(UTCDateTime)


def sink_cursors(session: Session, sink_id: str) -> dict[int, int]:
    query = select(AuditSinkCursor).where(AuditSinkCursor.sink_id == sink_id)
    return {c.org_key: c.last_id for c in session.scalars(query)}


def advance_sink_cursor(session: Session, sink_id: str, org_key: int, last_id: int) -> None:
    cursor = session.get(AuditSinkCursor, (sink_id, org_key))
    if cursor is None:
        session.add(AuditSinkCursor(sink_id=sink_id, org_key=org_key, last_id=last_id))
    elif last_id > cursor.last_id:
        cursor.last_id = last_id
    session.flush()


def claim_sink_lease(session: Session, sink_id: str, holder: str, seconds: float) -> bool:
    """Hold the sink's lease for ``seconds`` if it is free, expired or already ours."""
    now = utc_now()
    until = now + timedelta(seconds=seconds)
    return claim_row_lease(session, AuditSinkLease, "sink_id", sink_id, holder, now, until)
