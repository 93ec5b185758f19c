"""The audit trail as the console reads it: one org's rows, filtered, newest first, by keyset.

Pages and exports walk ``id`` downwards (``before``): no OFFSET, so page 1,000 costs what page
one does, and an export reads in fixed-size chunks whatever the trail's length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from draftroom.store.models import AuditEvent, Outcome, User


@dataclass(frozen=True)
class AuditFilter:
    """Which rows of one org: each field set narrows (exact matches; ``until`` exclusive)."""

    org_id: int
    user_id: int | None = None
    tool: str | None = None
    repo: str | None = None
    branch: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    outcome: Outcome | None = None
    code: str | None = None


def _conditions(where: AuditFilter) -> list[Any]:
    found: list[Any] = [AuditEvent.org_id == where.org_id]
    pairs: tuple[tuple[Any, object], ...] = (
        (AuditEvent.user_id, where.user_id),
        (AuditEvent.tool, where.tool),
        (AuditEvent.repo, where.repo),
        (AuditEvent.branch, where.branch),
        (AuditEvent.outcome, where.outcome),
        (AuditEvent.error_code, where.code),
    )
    found.extend(column == value for column, value in pairs if value is not None)
    if where.since is not None:
        found.append(AuditEvent.at >= where.since)
    if where.until is not None:
        found.append(AuditEvent.at < where.until)
    return found


def audit_rows(
    session: Session, where: AuditFilter, *, before: int | None, limit: int
) -> Sequence[tuple[AuditEvent, str | None]]:
    """Up to ``limit`` matching rows with ids below ``before``, newest first, each with the
    email of the person it acted for (one query, the person joined)."""
    query = (
        select(AuditEvent, User.email)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(*_conditions(where))
    )
    if before is not None:
        query = query.where(AuditEvent.id < before)
    rows = session.execute(query.order_by(AuditEvent.id.desc()).limit(limit)).all()
    return [(event, email) for event, email in rows]
