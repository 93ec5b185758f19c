"""Console sign-ins: one row per browser session, its secret stored hashed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from draftroom.store.models import Base, User
from draftroom.store.timestamps import UTCDateTime, utc_now


class ConsoleSession(Base):
    """A person signed in to the console: ``id`` is the public half of ``drc_<id>_<secret>``,
    the cookie's value. Ends at ``expires_at``, when revoked (sign-out), or when the person is
    removed."""

    __tablename__ = "console_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


def add_console_session(session: Session, **fields: object) -> ConsoleSession:
    row = ConsoleSession(**fields)
    session.add(row)
    session.flush()
    return row


def get_console_session(session: Session, session_id: str) -> ConsoleSession | None:
    return session.get(ConsoleSession, session_id)


def revoke_console_sessions(
    session: Session, *, session_id: str | None = None, user_id: int | None = None
) -> int:
    """End one session, or every session of a person; how many were live."""
    query = update(ConsoleSession).where(ConsoleSession.revoked_at.is_(None))
    if session_id is not None:
        query = query.where(ConsoleSession.id == session_id)
    if user_id is not None:
        query = query.where(ConsoleSession.user_id == user_id)
    result = session.execute(query.values(revoked_at=utc_now()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
