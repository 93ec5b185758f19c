"""The audit chain: each row's hash covers its canonical encoding and the previous row's
hash, per org, in the order rows were written.

Personal fields (the person, the key, the client address, a failure's message) enter the hash only through a
keyed digest (HMAC-SHA256 with a key derived from ``DRAFTROOM_SECRET_KEY``, or kept in the
data dir's ``audit.key`` when none is set): erasing them for a privacy request keeps the
digest, so the chain still verifies, and the digest alone does not give them back.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.config import Settings
from draftroom.domain.calls import Services
from draftroom.store import AuditEvent, utc_now

_KEY_FILE = "audit.key"
_HKDF_INFO = b"draftroom audit personal fields"
PERSONAL_DETAIL = ("client", "message")
"""Keys of ``detail`` a privacy request erases: the client address, and a failed call's
message (it may quote an email or a line of the person's files)."""


class AuditKey(bytes):
    """The process's key for personal-field digests (``Services.component``)."""


def audit_key(services: Services) -> bytes:
    return services.component(AuditKey, lambda: AuditKey(_derive(services.settings)))


def _derive(settings: Settings) -> bytes:
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        secret = settings.secret_key.get_secret_value().encode()
        return hmac.new(secret, _HKDF_INFO, hashlib.sha256).digest()
    path = Path(settings.data_dir) / _KEY_FILE
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    return bytes.fromhex(path.read_text().strip())


def personal_fields(event: AuditEvent) -> dict[str, Any]:
    detail = event.detail or {}
    personal = {key: detail.get(key) for key in PERSONAL_DETAIL}
    return {"user_id": event.user_id, "api_key_id": event.api_key_id, **personal}


def personal_digest(key: bytes, org_key: int, fields: dict[str, Any]) -> str:
    message = json.dumps([org_key, fields], sort_keys=True, separators=(",", ":"))
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def _at(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_hash(event: AuditEvent, prev_hash: str | None) -> str:
    """SHA-256 over the row's canonical encoding (sorted-key JSON, UTC times to the
    microsecond), its personal digest and ``prev_hash``."""
    detail = {k: v for k, v in (event.detail or {}).items() if k not in PERSONAL_DETAIL}
    encoded = {
        "at": _at(event.at),
        "org_id": event.org_id,
        "request_id": event.request_id,
        "tool": event.tool,
        "outcome": event.outcome,
        "error_code": event.error_code,
        "repo": event.repo,
        "branch": event.branch,
        "token_id": event.token_id,
        "commit_sha": event.commit_sha,
        "duration_ms": repr(float(event.duration_ms)),
        "bytes_written": event.bytes_written,
        "detail": detail,
        "personal_digest": event.personal_digest,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(encoded, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def org_key_of(event: AuditEvent) -> int:
    return event.org_id if event.org_id is not None else store.NO_ORG


def chain(session: Session, key: bytes, event: AuditEvent) -> None:
    """Link ``event`` (not yet flushed) to the end of its org's chain, under the head's lock
    (held until the session commits: writers of one org chain one at a time)."""
    org_key = org_key_of(event)
    head = store.lock_chain_head(session, org_key)
    event.at = event.at or utc_now()  # set before hashing: the default comes too late
    event.personal_digest = personal_digest(key, org_key, personal_fields(event))
    event.prev_hash = head.last_hash
    event.hash = row_hash(event, head.last_hash)
    store.insert_audit_event(session, event)
    store.advance_chain_head(head, event)
