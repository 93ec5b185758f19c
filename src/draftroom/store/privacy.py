"""What a privacy request reads and erases of one person: their audit rows (in pages), and
the rows of sign-in and idempotency that hold nothing once the person is gone."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from draftroom.store.models import AuditEvent, IdempotencyKey
from draftroom.store.oauth import OAuthConsent


def person_audit_pages(
    session: Session, user_id: int, chunk: int = 1000
) -> Iterator[Sequence[AuditEvent]]:
    """The person's audit rows (acted for them, not yet erased), oldest first, by page."""
    after = 0
    while True:
        query = select(AuditEvent).where(
            AuditEvent.user_id == user_id, AuditEvent.erased_at.is_(None), AuditEvent.id > after
        )
        rows = session.scalars(query.order_by(AuditEvent.id).limit(chunk)).all()
        if rows:
            yield rows
        if len(rows) < chunk:
            return
        after = rows[-1].id


def erase_audit_personal_fields(
    session: Session, user_id: int, now: datetime, detail_keys: Sequence[str]
) -> int:
    """Drop the person, key and ``detail_keys`` from their rows (their chained digest
    stays); how many rows."""
    erased = 0
    for page in person_audit_pages(session, user_id):
        for row in page:
            row.user_id = None
            row.api_key_id = None
            if row.detail and set(row.detail) & set(detail_keys):
                row.detail = {k: v for k, v in row.detail.items() if k not in detail_keys}
            row.erased_at = now
            erased += 1
        session.flush()
    return erased


def forget_person_sign_ins(session: Session, user_id: int, key_ids: Sequence[str]) -> None:
    """Consents and the remembered answers (idempotency) of the person's keys: gone."""
    session.execute(delete(OAuthConsent).where(OAuthConsent.user_id == user_id))
    if key_ids:
        session.execute(delete(IdempotencyKey).where(IdempotencyKey.api_key_id.in_(key_ids)))
