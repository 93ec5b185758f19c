"""Idempotency keys: a writing call retried with the same key answers as the first one did.

The key arrives as the ``Idempotency-Key`` header (HTTP) or the ``idempotency_key`` input
field (GPT Actions cannot send headers; MCP, the CLI). It is scoped to one API key and one
tool and lives 24 hours. The first call claims it before it writes; a retry with the same
request gets the stored answer and writes nothing; the same key with another request is
422 ``idempotency_key_reused``; a retry while the first call still runs is 409
``idempotency_in_progress`` (retry shortly). A first call that fails wrote nothing, so its
claim is dropped and a retry runs anew.

Stored only as a hash, with the answer encrypted by a key derived from the idempotency key
(which is never stored), the API key id and the server's ``secret_key`` when set: an answer
may hold a reuse token, and a copy of the database must not hand it out to whoever cannot
guess the idempotency key (send a random one, e.g. a UUID).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.calls.services import Services
from draftroom.errors import IdempotencyInProgress, IdempotencyKeyReused, InvalidInput
from draftroom.store import utc_now

IDEMPOTENCY_TTL = timedelta(hours=24)
ABANDONED_AFTER = timedelta(minutes=10)
"""A claim still running after this is a call whose worker died: a retry takes it over."""
FIELD = "idempotency_key"
HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class Claim:
    """This call's hold on a key: where its answer goes, and how it is sealed."""

    use: store.KeyUse
    request_id: str
    fernet: Fernet


def chosen_key(header: str | None, field: str | None) -> str | None:
    """The key a call sent, as the header or the field; both must agree."""
    if header is not None and field is not None and header != field:
        raise InvalidInput(
            f"the {HEADER} header and the {FIELD} field differ; send the key once",
            field=FIELD,
        )
    key = header if header is not None else field
    if key is not None and not (1 <= len(key) <= 255 and key.isascii() and key.isprintable()):
        raise InvalidInput(f"{HEADER} must be 1 to 255 printable ASCII characters", field=FIELD)
    return key


def request_hash(body: dict[str, Any]) -> str:
    """The request a key was first used for, as the tool's validated input (defaults filled
    in, so the same request hashes the same over every transport)."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def begin(
    services: Services,
    *,
    api_key_id: str,
    tool: str,
    key: str,
    body: dict[str, Any],
    request_id: str,
) -> tuple[Claim, dict[str, Any] | None]:
    """Claim ``key`` for this call (answer None), or the first call's answer to replay."""
    use = store.KeyUse(api_key_id, tool, _digest("key", key))
    server_secret = services.settings.secret_key
    secret = f"{api_key_id}\0{server_secret.get_secret_value() if server_secret else ''}"
    claim = Claim(use, request_id, _fernet(key, secret))
    now = utc_now()
    digest = request_hash(body)
    first = store.claim_idempotency_key(
        services.database,
        use,
        request_hash=digest,
        request_id=request_id,
        now=now,
        expired_before=now - IDEMPOTENCY_TTL,
        abandoned_before=now - ABANDONED_AFTER,
    )
    if first is None:
        return claim, None
    if first.request_hash != digest:
        raise IdempotencyKeyReused(
            f"this {HEADER} was first used for a different {tool} request; use a new key "
            "for a new request",
            first_request_id=first.request_id,
        )
    if first.state == "running" or first.response is None:
        raise IdempotencyInProgress(
            f"the first {tool} call with this {HEADER} (request {first.request_id}) is still "
            "running; retry in a second for its answer",
            first_request_id=first.request_id,
            retry_after=1,
        )
    try:
        answer: dict[str, Any] = json.loads(claim.fernet.decrypt(first.response.encode()))
    except InvalidToken:  # sealed under another server secret_key: the answer is lost
        raise IdempotencyKeyReused(
            f"the first answer to this {HEADER} can no longer be read; use a new key"
        ) from None
    return claim, answer


def finish(session: Session, claim: Claim, answer: dict[str, Any]) -> None:
    """Store the answer in the call's own transaction, beside its audit row."""
    sealed = claim.fernet.encrypt(json.dumps(answer).encode()).decode()
    store.finish_idempotency_key(session, claim.use, request_id=claim.request_id, response=sealed)


def release(services: Services, claim: Claim) -> None:
    """Drop the claim of a call that failed (it wrote nothing): a retry runs again."""
    store.release_idempotency_key(services.database, claim.use, request_id=claim.request_id)


def _digest(purpose: str, value: str) -> str:
    return hashlib.sha256(f"draftroom idempotency {purpose}\0{value}".encode()).hexdigest()


def _fernet(key: str, secret: str) -> Fernet:
    derived = hashlib.sha256(f"draftroom idempotency answer\0{key}\0{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))
