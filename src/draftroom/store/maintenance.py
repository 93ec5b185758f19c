"""Housekeeping queries: the maintenance lease (one run at a time across nodes), expired
credentials to purge, sandboxes idle long enough to archive."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import String, delete, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from draftroom.store.console import ConsoleSession
from draftroom.store.leases import claim_row_lease
from draftroom.store.models import Base, RepositoryRecord, ReuseToken, Sandbox
from draftroom.store.oauth import OAuthGrant, OAuthToken
from draftroom.store.timestamps import UTCDateTime

LEASE = "maintenance"


class MaintenanceLease(Base):
    """Who runs maintenance until when; ``finished_at``: when the last run ended."""

    __tablename__ = "maintenance_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64))
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def claim_lease(session: Session, holder: str, now: datetime, until: datetime) -> bool:
    """Hold the lease until ``until`` if it is free, expired or ours; False if another holds it."""
    return claim_row_lease(session, MaintenanceLease, "name", LEASE, holder, now, until)


def release_lease(session: Session, holder: str, finished_at: datetime) -> None:
    session.execute(
        update(MaintenanceLease)
        .where(MaintenanceLease.name == LEASE, MaintenanceLease.holder == holder)
        .values(holder=None, until=None, finished_at=finished_at)
        .execution_options(synchronize_session=False)
    )


def last_finished(session: Session) -> datetime | None:
    """When the last maintenance run (on any node) finished; None if none ever did."""
    return session.scalar(
        select(MaintenanceLease.finished_at).where(MaintenanceLease.name == LEASE)
    )


def purge_expired_credentials(
    session: Session, now: datetime, token_cutoff: datetime
) -> dict[str, int]:
    """Delete what can no longer be used: reuse tokens expired before ``token_cutoff`` (past
    their renewal grace), console sessions and sign-in grants past expiry, and sign-in tokens
    whose refresh token expired. Table -> rows deleted."""
    deletes = {
        "reuse_tokens": delete(ReuseToken).where(ReuseToken.expires_at < token_cutoff),
        "console_sessions": delete(ConsoleSession).where(ConsoleSession.expires_at < now),
        "oauth_grants": delete(OAuthGrant).where(OAuthGrant.expires_at < now),
        "oauth_tokens": delete(OAuthToken).where(OAuthToken.refresh_expires_at < now),
    }
    return {
        table: int(getattr(session.execute(query), "rowcount", 0) or 0)
        for table, query in deletes.items()
    }


def idle_sandboxes(session: Session, cutoff: datetime) -> Sequence[Sandbox]:
    """Active sandboxes of every org not used since ``cutoff`` (never opened: created before)."""
    never = (Sandbox.last_active_at.is_(None)) & (Sandbox.created_at < cutoff)
    query = (
        select(Sandbox)
        .where(Sandbox.status == "active", or_(Sandbox.last_active_at < cutoff, never))
        .order_by(Sandbox.id)
    )
    return session.scalars(query).all()


def repository_paths(session: Session) -> list[tuple[str, str]]:
    """(name, git dir) of every org's repositories, each directory once."""
    query = select(RepositoryRecord.name, RepositoryRecord.path).order_by(RepositoryRecord.id)
    seen: dict[str, str] = {}
    for name, path in session.execute(query).all():
        seen.setdefault(str(path), str(name))
    return [(name, path) for path, name in seen.items()]
