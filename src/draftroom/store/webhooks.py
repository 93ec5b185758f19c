"""Webhook bookkeeping: the deliveries a repository already took, and its webhook secret.

A delivery id is claimed once per (repository, forge); a second claim of the same id is a
replay and answers False. The secret itself lives on ``upstreams.webhook_secret`` as
ciphertext only (see ``draftroom.domain.webhooks``): never a plaintext secret here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from draftroom.store.conflicts import is_unique_violation
from draftroom.store.models import Base
from draftroom.store.timestamps import UTCDateTime, utc_now
from draftroom.store.upstream import Upstream


class WebhookDelivery(Base):
    """One signed delivery a repository's forge sent, remembered so a replay changes nothing."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("repository_id", "forge", "delivery_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    repository_id: Mapped[int] = mapped_column(ForeignKey("repositories.id", ondelete="CASCADE"))
    forge: Mapped[str] = mapped_column(String(16))
    delivery_id: Mapped[str] = mapped_column(String(100))
    event: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)


def claim_delivery(
    session: Session, repository_id: int, forge: str, delivery_id: str, event: str
) -> int | None:
    """Record a delivery; its row id, or None when the id was taken already (a replay).

    Runs in a savepoint, so a duplicate leaves the caller's session usable.
    """
    query = select(WebhookDelivery.id).where(
        WebhookDelivery.repository_id == repository_id,
        WebhookDelivery.forge == forge,
        WebhookDelivery.delivery_id == delivery_id,
    )
    if session.scalars(query).first() is not None:
        return None
    row = WebhookDelivery(
        repository_id=repository_id, forge=forge, delivery_id=delivery_id, event=event
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as exc:
        if is_unique_violation(exc):
            return None
        raise
    return row.id


def release_delivery(session: Session, row_id: int) -> None:
    """Forget a claimed delivery whose handling failed, so the forge's redelivery is taken."""
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.id == row_id))


def forget_deliveries_before(session: Session, before: datetime) -> None:
    """Delete delivery records older than ``before`` (a replay that old is harmless anyway)."""
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.received_at < before))


def list_deliveries(session: Session, repository_id: int) -> Sequence[WebhookDelivery]:
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.repository_id == repository_id)
        .order_by(WebhookDelivery.id)
    )
    return session.scalars(query).all()


def upstreams_with_webhooks(session: Session) -> Sequence[Upstream]:
    """Every upstream (all orgs) that has a webhook secret: the ones a delivery may name."""
    query = (
        select(Upstream)
        .where(Upstream.webhook_secret.is_not(None))
        .order_by(Upstream.repository_id)
    )
    return session.scalars(query).all()


def mark_human_seen(
    session: Session, repository_id: int, sha: str, *, expected: str | None
) -> bool:
    """Move ``human_seen_sha`` to ``sha`` if it is still ``expected``; False if it moved."""
    column = Upstream.human_seen_sha
    condition = column.is_(None) if expected is None else column == expected
    result = session.execute(
        update(Upstream)
        .where(Upstream.repository_id == repository_id, condition)
        .values(human_seen_sha=sha)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0)) == 1
