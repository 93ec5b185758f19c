"""Counts that summarise a sandbox, from the audit trail (calls) and git (content)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from draftroom.store import AuditEvent


def tool_counts(session: Session, repo: str, branch: str) -> dict[tuple[str, str], int]:
    """(tool, outcome) -> number of calls on one sandbox."""
    rows = session.execute(
        select(AuditEvent.tool, AuditEvent.outcome, func.count())
        .where(AuditEvent.repo == repo, AuditEvent.branch == branch)
        .group_by(AuditEvent.tool, AuditEvent.outcome)
    )
    return {(tool, outcome): count for tool, outcome, count in rows}
