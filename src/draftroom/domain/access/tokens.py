"""API keys and reuse tokens: issued once in plaintext, stored hashed, compared in constant time.

Formats: ``drk_<id>_<secret>`` (API key) and ``drt_<id>_<secret>`` (reuse token). ``id`` is
12 lowercase base32 characters, the database key and safe to log; ``secret`` is 256 random
bits. This module must never log, store or put a secret in an error message or audit row.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from draftroom.errors import NotFound, TokenExpired, TokenRevoked, Unauthorized
from draftroom.store.credentials import (
    TokenScope,
    add_api_key,
    add_reuse_token,
    get_api_key,
    get_reuse_token,
    get_token_scope,
    live_reuse_tokens,
)
from draftroom.store.models import ApiKey, ReuseToken, Role
from draftroom.store.timestamps import utc_now

API_KEY_PREFIX = "drk"
REUSE_TOKEN_PREFIX = "drt"
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
_ID_LENGTH = 12
_SECRET_BYTES = 32
# Writing last_used_at on every call would turn each read into a write; a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_SECRET_LENGTH = 43  # len(secrets.token_urlsafe(32))
_CREDENTIAL_LENGTH = len("drk_") + _ID_LENGTH + len("_") + _SECRET_LENGTH
_FORMAT = re.compile(
    rf"({API_KEY_PREFIX}|{REUSE_TOKEN_PREFIX})"
    rf"_([a-z2-7]{{{_ID_LENGTH}}})"
    rf"_([A-Za-z0-9_-]{{{_SECRET_LENGTH}}})"
)
# Spent when the id is unknown, so an unknown id costs the same as a wrong secret.
_DUMMY_HASH = hashlib.sha256(b"draftroom: no such credential").hexdigest()

INVALID_API_KEY = "invalid API key"
_NEW_TOKEN_HINT = "call sandbox.init without a token to get a new one, or ask an admin to issue one"
INVALID_REUSE_TOKEN = f"invalid reuse token; {_NEW_TOKEN_HINT}"


def hash_secret(secret: str) -> str:
    """SHA-256 hex of ``secret``.

    A fast hash is enough: the secret is 256 random bits, not a password, so there is no
    dictionary to try and no need for a slow KDF or a salt.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def verify_secret(secret: str, stored_hash: str | None) -> bool:
    """Constant-time check of ``secret`` against ``stored_hash`` (None: unknown record).

    An unknown record is compared against a dummy hash, so "no such id" and "wrong secret"
    take the same time and an attacker cannot probe which ids exist.
    """
    expected = _DUMMY_HASH if stored_hash is None else stored_hash
    matches = hmac.compare_digest(hash_secret(secret), expected)
    return matches and stored_hash is not None


def new_credential_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))


def _new_secret() -> str:
    return secrets.token_urlsafe(_SECRET_BYTES)


def _parse(plaintext: str, prefix: str) -> tuple[str, str] | None:
    """(id, secret) of a well-formed credential with ``prefix``, else None."""
    # Length first: no regex work on megabytes of junk in an Authorization header.
    match = _FORMAT.fullmatch(plaintext) if len(plaintext) == _CREDENTIAL_LENGTH else None
    if match is None or match.group(1) != prefix:
        return None
    return match.group(2), match.group(3)


def looks_like_credential(text: str) -> bool:
    """True if ``text`` contains something shaped like a draftroom key or token."""
    return _FORMAT.search(text) is not None


def _touch(record: ApiKey | ReuseToken, now: datetime) -> None:
    if record.last_used_at is None or now - record.last_used_at >= LAST_USED_RESOLUTION:
        record.last_used_at = now


def issue_api_key(
    session: Session,
    org_id: int,
    role: Role,
    label: str | None = None,
    user_id: int | None = None,
) -> tuple[ApiKey, str]:
    """Create a key (a person's when ``user_id`` is given); the plaintext is returned here
    once and cannot be recovered later."""
    key_id, secret = new_credential_id(), _new_secret()
    key = add_api_key(
        session,
        id=key_id,
        org_id=org_id,
        role=role,
        secret_hash=hash_secret(secret),
        label=label,
        user_id=user_id,
    )
    return key, f"{API_KEY_PREFIX}_{key_id}_{secret}"


def authenticate_api_key(session: Session, plaintext: str, now: datetime | None = None) -> ApiKey:
    """The live key ``plaintext`` names, or ``Unauthorized``.

    Malformed, unknown, wrong and revoked keys get one message, so the error is no oracle.
    """
    parsed = _parse(plaintext, API_KEY_PREFIX)
    if parsed is None:
        raise Unauthorized(INVALID_API_KEY)
    key_id, secret = parsed
    key = get_api_key(session, key_id)
    if not verify_secret(secret, key.secret_hash if key else None):
        raise Unauthorized(INVALID_API_KEY)
    assert key is not None
    if key.revoked_at is not None or (key.user is not None and key.user.removed_at is not None):
        raise Unauthorized(INVALID_API_KEY)
    _touch(key, now or utc_now())
    return key


def revoke_api_key(session: Session, key_id: str) -> ApiKey:
    """Revoke a key (idempotent: the first revocation time is kept)."""
    key = get_api_key(session, key_id)
    if key is None:
        raise NotFound(f"no API key with id '{key_id}'; list keys to find its id", key_id=key_id)
    if key.revoked_at is None:
        key.revoked_at = utc_now()
    return key


def issue_reuse_token(
    session: Session,
    sandbox_id: int,
    ttl: timedelta,
    now: datetime | None = None,
    *,
    api_key_id: str | None = None,
) -> tuple[ReuseToken, str]:
    """Create a token for a sandbox, valid for ``ttl`` and only with the API key
    ``api_key_id`` (None: any key of the org); the plaintext is returned once."""
    token_id, secret = new_credential_id(), _new_secret()
    token = add_reuse_token(
        session,
        id=token_id,
        sandbox_id=sandbox_id,
        secret_hash=hash_secret(secret),
        expires_at=(now or utc_now()) + ttl,
        created_by_key_id=api_key_id,
    )
    return token, f"{REUSE_TOKEN_PREFIX}_{token_id}_{secret}"


def verify_reuse_token(
    session: Session,
    plaintext: str,
    now: datetime | None = None,
    *,
    grace: timedelta = timedelta(0),
    renewing: bool = False,
) -> ReuseToken:
    """The live token ``plaintext`` names.

    ``Unauthorized`` for malformed, unknown or wrong tokens (one message); only a caller
    holding the right secret learns ``TokenRevoked`` or ``TokenExpired``. An expired token
    stays renewable for ``grace`` after its expiry: ``renewing`` accepts it then, and the
    error says whether renewing can still help.
    """
    token_id, secret = _parse_reuse_token(plaintext)
    token = get_reuse_token(session, token_id)
    return _check_reuse_token(token, secret, now or utc_now(), grace, renewing)


def reuse_token_id(plaintext: str) -> str | None:
    """The public id of a well-formed reuse token, else None (nothing is looked up)."""
    parsed = _parse(plaintext, REUSE_TOKEN_PREFIX)
    return parsed[0] if parsed else None


def usable_by(
    scope: TokenScope | None, api_key_id: str, org_id: int, user_id: int | None = None
) -> bool:
    """Whether the key may use the token at all, its secret aside.

    A sandbox started for a person opens with that person's keys alone (``user_id``), and a
    person's key opens only their own sandboxes. Otherwise: the key that created the token,
    or (a token older than that binding) any key of the token's org.
    """
    if scope is None:
        return False
    person = scope.sandbox.created_for_user_id if scope.sandbox is not None else None
    if person is not None or user_id is not None:
        in_org = scope.repository is not None and scope.repository.org_id == org_id
        return in_org and person == user_id
    bound = scope.token.created_by_key_id
    if bound is not None:
        return bound == api_key_id
    return scope.repository is not None and scope.repository.org_id == org_id


def verify_reuse_token_scope(
    session: Session,
    plaintext: str,
    now: datetime | None = None,
    *,
    api_key_id: str,
    org_id: int,
    user_id: int | None = None,
    scope: TokenScope | None = None,
    grace: timedelta = timedelta(0),
    renewing: bool = False,
) -> TokenScope:
    """``verify_reuse_token`` for the API key ``api_key_id`` (acting for the person
    ``user_id``, if any), with the token's sandbox and repository (``scope``: already loaded
    by ``get_token_scope``).

    A token the key may not use is ``Unauthorized`` with the one invalid-token message,
    after the same secret comparison: to that key it does not exist.
    """
    token_id, secret = _parse_reuse_token(plaintext)
    if scope is None or scope.token.id != token_id:
        scope = get_token_scope(session, token_id)
    token = scope.token if scope else None
    if not usable_by(scope, api_key_id, org_id, user_id):
        verify_secret(secret, None)  # the same work as a wrong secret
        raise Unauthorized(INVALID_REUSE_TOKEN)
    _check_reuse_token(token, secret, now or utc_now(), grace, renewing)
    assert scope is not None
    return scope


def _parse_reuse_token(plaintext: str) -> tuple[str, str]:
    parsed = _parse(plaintext, REUSE_TOKEN_PREFIX)
    if parsed is None:
        raise Unauthorized(INVALID_REUSE_TOKEN)
    return parsed


def _check_reuse_token(
    token: ReuseToken | None, secret: str, now: datetime, grace: timedelta, renewing: bool
) -> ReuseToken:
    if not verify_secret(secret, token.secret_hash if token else None):
        raise Unauthorized(INVALID_REUSE_TOKEN)
    assert token is not None
    if token.revoked_at is not None:
        raise TokenRevoked(f"reuse token was revoked; {_NEW_TOKEN_HINT}", token_id=token.id)
    if token.expires_at <= now:
        renewable_until = token.expires_at + grace
        if now < renewable_until:
            if renewing:
                _touch(token, now)
                return token
            raise TokenExpired(
                f"reuse token expired at {token.expires_at.isoformat()}; renew it with "
                f"sandbox.renew before {renewable_until.isoformat()} to keep your sandbox",
                token_id=token.id,
                expired_at=token.expires_at.isoformat(),
                renewable_until=renewable_until.isoformat(),
            )
        ended = f" and its renewal period ended at {renewable_until.isoformat()}" if grace else ""
        raise TokenExpired(
            f"reuse token expired at {token.expires_at.isoformat()}{ended}; it can no "
            f"longer be used or renewed: {_NEW_TOKEN_HINT}",
            token_id=token.id,
            expired_at=token.expires_at.isoformat(),
        )
    _touch(token, now)
    return token


def renew_reuse_token(
    session: Session, token_id: str, ttl: timedelta, now: datetime | None = None
) -> ReuseToken:
    """Extend a verified token to ``now + ttl``; the plaintext stays the same."""
    token = get_reuse_token(session, token_id)
    if token is None:
        raise NotFound(f"no reuse token with id '{token_id}'", token_id=token_id)
    token.expires_at = (now or utc_now()) + ttl
    return token


def revoke_reuse_token(session: Session, token_id: str) -> ReuseToken:
    """Revoke one token (idempotent: the first revocation time is kept)."""
    token = get_reuse_token(session, token_id)
    if token is None:
        raise NotFound(
            f"no reuse token with id '{token_id}'; list the sandbox's tokens to find its id",
            token_id=token_id,
        )
    if token.revoked_at is None:
        token.revoked_at = utc_now()
    return token


def revoke_sandbox_tokens(session: Session, sandbox_id: int) -> int:
    """Revoke every live token of a sandbox (on archive or merge); returns how many."""
    now = utc_now()
    live = live_reuse_tokens(session, sandbox_id)
    for token in live:
        token.revoked_at = now
    return len(live)
