"""Who is calling and what one tool call touched: filled in as the call runs, read by the audit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from draftroom.domain.services import Services


@dataclass(frozen=True)
class Principal:
    """The API key behind a call (its public id, never its secret)."""

    api_key_id: str
    org_id: int
    role: str


@dataclass
class AuditFields:
    repo: str | None = None
    branch: str | None = None
    token_id: str | None = None
    commit_sha: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    """Extra JSON-safe facts for the audit row (e.g. an ``allow_secrets`` override)."""


@dataclass
class Call:
    services: Services
    principal: Principal
    request_id: str
    tool: str
    transport: str = "http"
    audit: AuditFields = field(default_factory=AuditFields)
    client: str | None = None
    """The caller's network address (HTTP), for lockouts; None when there is none (stdio)."""
