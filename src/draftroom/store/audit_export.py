"""The audit rows an export streams: keyset pages in id order, with each row's org slug and
person's email read alongside (one query per page, never the whole table at once)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from draftroom.store.audit_chain import NO_ORG
from draftroom.store.models import AuditEvent, Org, User


def audit_export_pages(
    session: Session,
    org_key: int,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    after: int = 0,
    chunk: int = 1000,
    pages: int | None = None,
) -> Iterator[list[tuple[AuditEvent, str | None, str | None]]]:
    """Pages of ``(row, org slug, person's email)`` of org ``org_key`` (``NO_ORG``: rows of
    no org) after row ``after``, oldest first; at most ``pages`` pages when given."""
    org = AuditEvent.org_id == org_key if org_key != NO_ORG else AuditEvent.org_id.is_(None)
    while pages is None or pages > 0:
        pages = None if pages is None else pages - 1
        query: Any = (
            select(AuditEvent, Org.name, User.email)
            .outerjoin(Org, Org.id == AuditEvent.org_id)
            .outerjoin(User, User.id == AuditEvent.user_id)
            .where(org, AuditEvent.id > after)
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
        for row in rows:  # keep memory flat: the session forgets the rows it handed out
            session.expunge(row[0])
