"""The one place audit rows are written: every tool call, ok or not, ends up here.

An audit row must never hold a secret or file content; anything in ``detail`` shaped like a
draftroom key or token is redacted before it is stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from draftroom.domain.access import looks_like_credential
from draftroom.domain.audit.chain import chain
from draftroom.store.database import Database
from draftroom.store.models import AuditEvent, Outcome

REDACTED = "[redacted]"


def _redact(value: Any) -> Any:
    if isinstance(value, str):
        return REDACTED if looks_like_credential(value) else value
    if isinstance(value, dict):
        return {key: _redact(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(item) for item in value]
    return value


def record_event(
    session_or_db: Session | Database,
    key: bytes,
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
    bytes_written: int | None = None,
    org_id: int | None = None,
    user_id: int | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Write one audit row, chained to its org's trail (``key``: ``chain.audit_key``).

    Given a ``Database``, the row commits in its own transaction, so a failed call's
    rollback cannot erase the record of it; given a ``Session``, it joins that unit of work.
    """
    fields: dict[str, Any] = {
        "request_id": request_id,
        "tool": tool,
        "outcome": outcome,
        "duration_ms": duration_ms,
        "api_key_id": api_key_id,
        "token_id": token_id,
        "repo": repo,
        "branch": branch,
        "error_code": error_code,
        "commit_sha": commit_sha,
        "detail": None if detail is None else _redact(detail),
        "bytes_written": bytes_written,
        "org_id": org_id,
        "user_id": user_id,
        "at": at,
    }
    event = AuditEvent(**fields)
    if isinstance(session_or_db, Database):
        with session_or_db.session() as session:
            chain(session, key, event)
            return event
    chain(session_or_db, key, event)
    return event
