"""Audit event rows: written by ``draftroom.domain.audit.events.record_event``, read by dashboards.

Rows name keys, tokens, repositories and commits by id; they never hold a secret or file
content.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from draftroom.store.models import AuditEvent, Outcome


def add_audit_event(
    session: Session,
    *,
    request_id: str,
    tool: str,
    outcome: Outcome,
    duration_ms: float,
    api_key_id: str | None = None,
    token_id: str | None = None,
    repo: str | None = None,
    branch: str | None = None,
    error_code: str | None = None,
    commit_sha: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        request_id=request_id,
        tool=tool,
        outcome=outcome,
        duration_ms=duration_ms,
        api_key_id=api_key_id,
        token_id=token_id,
        repo=repo,
        branch=branch,
        error_code=error_code,
        commit_sha=commit_sha,
        detail=detail,
    )
    session.add(event)
    session.flush()
    return event


def list_audit_events(
    session: Session,
    repo: str | None = None,
    branch: str | None = None,
    outcome: Outcome | None = None,
    commit_sha: str | None = None,
    limit: int = 100,
) -> Sequence[AuditEvent]:
    """Matching events, newest first (insertion order breaks ties between equal times)."""
    query = select(AuditEvent)
    if repo is not None:
        query = query.where(AuditEvent.repo == repo)
    if branch is not None:
        query = query.where(AuditEvent.branch == branch)
    if outcome is not None:
        query = query.where(AuditEvent.outcome == outcome)
    if commit_sha is not None:
        query = query.where(AuditEvent.commit_sha == commit_sha)
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    return session.scalars(query).all()
