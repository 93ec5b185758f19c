"""The audit rows an export streams: keyset pages in id order, with each row's org slug and
person's email read alongside (one query per page, never the whole table at once)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from draftroom.store.models import AuditEvent, Org, User


def audit_export_pages(
    session: Session,
    org_id: int,
    since: datetime | None,
    until: datetime | None,
    chunk: int = 1000,
) -> Iterator[list[tuple[AuditEvent, str | None, str | None]]]:
    """Pages of ``(row, org slug, person's email)`` of org ``org_id``, oldest first."""
    after = 0
    while True:
        query: Any = (
            select(AuditEvent, Org.name, User.email)
            .outerjoin(Org, Org.id == AuditEvent.org_id)
            .outerjoin(User, User.id == AuditEvent.user_id)
            .where(AuditEvent.org_id == org_id, AuditEvent.id > after)
        )
        if since is not None:
            query = query.where(AuditEvent.at >= since)
        if until is not None:
            query = query.where(AuditEvent.at < until)
        rows = [tuple(r) for r in session.execute(query.order_by(AuditEvent.id).limit(chunk))]
        if rows:
            yield rows
        if len(rows) < chunk:
            return
        after = rows[-1][0].id
        session.expunge_all()
