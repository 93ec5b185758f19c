"""draftroom's persistence: SQLAlchemy models, query functions and packaged migrations.

Every query function takes a ``Session`` first and never commits; ``Database.session()``
owns the transaction. Nothing here holds a plaintext secret: see ``draftroom.domain.tokens``.
"""

from __future__ import annotations

from draftroom.store.audit_log import add_audit_event, list_audit_events
from draftroom.store.credentials import (
    add_api_key,
    add_reuse_token,
    get_api_key,
    get_reuse_token,
    list_api_keys,
    list_reuse_tokens,
)
from draftroom.store.database import Database, sqlite_url
from draftroom.store.models import (
    ApiKey,
    AuditEvent,
    Base,
    Org,
    Outcome,
    RepositoryRecord,
    ReuseToken,
    Role,
    Sandbox,
    SandboxStatus,
)
from draftroom.store.orgs import get_or_create_org, get_org
from draftroom.store.repositories import (
    add_repository,
    get_repository,
    get_repository_by_id,
    list_repositories,
)
from draftroom.store.sandboxes import (
    add_sandbox,
    count_sandboxes,
    get_sandbox,
    get_sandbox_by_id,
    list_sandboxes,
)
from draftroom.store.timestamps import UTCDateTime, utc_now

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Base",
    "Database",
    "Org",
    "Outcome",
    "RepositoryRecord",
    "ReuseToken",
    "Role",
    "Sandbox",
    "SandboxStatus",
    "UTCDateTime",
    "add_api_key",
    "add_audit_event",
    "add_repository",
    "add_reuse_token",
    "add_sandbox",
    "count_sandboxes",
    "get_api_key",
    "get_or_create_org",
    "get_org",
    "get_repository",
    "get_repository_by_id",
    "get_reuse_token",
    "get_sandbox",
    "get_sandbox_by_id",
    "list_api_keys",
    "list_audit_events",
    "list_repositories",
    "list_reuse_tokens",
    "list_sandboxes",
    "sqlite_url",
    "utc_now",
]
