"""Raw audit rows for store tests: inserted as a database client would, never chained."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from draftroom.store import AuditEvent


def add_audit_event(session: Session, **fields: Any) -> AuditEvent:
    event = AuditEvent(**fields)
    session.add(event)
    session.flush()
    return event
