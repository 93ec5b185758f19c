"""OAuth access and refresh tokens and client secrets: issued once, stored hashed.

Formats: ``dra_<id>_<secret>`` (access, a bearer for every tool and ``/mcp``) and
``drr_<id>_<secret>`` (refresh), one ``id`` per issuance (a row of ``oauth_tokens``). A
signed-in call's ``Principal.api_key_id`` is ``oauth:<family id>``: stable across refreshes
of one sign-in, so audit rows and idempotency keys of one sign-in stay together.
Never logs, stores or puts a secret in an error message.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.config import Settings
from draftroom.domain.access import hash_secret, new_credential_id, verify_secret
from draftroom.domain.calls import Principal
from draftroom.errors import Unauthorized
from draftroom.store import OAuthToken, utc_now

ACCESS_PREFIX = "dra"
REFRESH_PREFIX = "drr"
PRINCIPAL_PREFIX = "oauth:"
SCOPE = "draftroom"
"""The one scope: a token acts for its person with the person's role, no more."""
_FORMAT = re.compile(r"(dra|drr)_([a-z2-7]{12})_([A-Za-z0-9_-]{43})")
INVALID_ACCESS_TOKEN = "invalid or expired access token; refresh it, or sign in again"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def is_access_token(credential: str) -> bool:
    """Whether ``credential`` is meant as an access token (its prefix; nothing checked)."""
    return credential.startswith(ACCESS_PREFIX + "_")


def _parse(plaintext: str, prefix: str) -> tuple[str, str] | None:
    match = _FORMAT.fullmatch(plaintext) if len(plaintext) < 100 else None
    if match is None or match.group(1) != prefix:
        return None
    return match.group(2), match.group(3)


def new_tokens(settings: Settings, scope: str) -> dict[str, Any]:
    """A token response's body: a fresh access and refresh token under one new id."""
    token_id = new_credential_id()
    return {
        "token_type": "Bearer",
        "access_token": f"{ACCESS_PREFIX}_{token_id}_{new_secret()}",
        "refresh_token": f"{REFRESH_PREFIX}_{token_id}_{new_secret()}",
        "expires_in": settings.oauth_access_token_seconds,
        "scope": scope or SCOPE,
    }


def save_tokens(
    session: Session,
    settings: Settings,
    token: dict[str, Any],
    *,
    client_id: str,
    user_id: int,
    family_id: str | None,
) -> OAuthToken:
    """Record ``new_tokens``' answer (hashes only); a new family unless refreshing one."""
    access = _parse(token["access_token"], ACCESS_PREFIX)
    refresh = _parse(token["refresh_token"], REFRESH_PREFIX)
    assert access is not None and refresh is not None and access[0] == refresh[0]
    now = utc_now()
    return store.add_oauth_token(
        session,
        id=access[0],
        family_id=family_id or new_credential_id(),
        client_id=client_id,
        user_id=user_id,
        scope=token["scope"],
        access_hash=hash_secret(access[1]),
        refresh_hash=hash_secret(refresh[1]),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.oauth_access_token_seconds),
        refresh_expires_at=now + timedelta(days=settings.oauth_refresh_token_days),
    )


def _live(token: OAuthToken, now: datetime) -> bool:
    return (
        token.revoked_at is None
        and token.user.removed_at is None
        and token.client.revoked_at is None
        and (token.client.org_id is None or token.client.org_id == token.user.org_id)
        and now < token.refresh_expires_at
    )


def authenticate_access_token(session: Session, plaintext: str) -> Principal:
    """The signed-in person an access token acts for, or ``Unauthorized`` (one message for
    malformed, unknown, wrong, expired and revoked tokens: no oracle)."""
    parsed = _parse(plaintext, ACCESS_PREFIX)
    token = store.get_oauth_token(session, parsed[0]) if parsed else None
    secret = parsed[1] if parsed else ""
    now = utc_now()
    if not verify_secret(secret, token.access_hash if token else None):
        raise Unauthorized(INVALID_ACCESS_TOKEN)
    assert token is not None
    if not _live(token, now) or token.expires_at <= now:
        raise Unauthorized(INVALID_ACCESS_TOKEN)
    return Principal(
        api_key_id=PRINCIPAL_PREFIX + token.family_id,
        org_id=token.user.org_id,
        role="person",
        user_id=token.user_id,
        person_role=token.user.role,
        user_email=token.user.email,
        user_name=token.user.name,
        signed_in=True,
    )


def refreshable(session: Session, plaintext: str) -> OAuthToken | None:
    """The live issuance a refresh token names, or None.

    Using it rotates it at once (``claim_oauth_rotation``, before the new tokens are made).
    A refresh token that was already rotated is a stolen copy or a replay: the whole family
    is revoked at once (committed here, whatever the request's answer).
    """
    token = find_token(session, plaintext, REFRESH_PREFIX)
    if token is None:
        return None
    if not _live(token, utc_now()):
        return None
    if not store.claim_oauth_rotation(session, token):
        store.revoke_oauth_tokens(session, family_id=token.family_id)
        session.commit()
        return None
    return token


def find_token(session: Session, plaintext: str, prefix: str | None = None) -> OAuthToken | None:
    """The issuance an access or refresh token (of ``prefix`` only, when given) names."""
    for kind in (ACCESS_PREFIX, REFRESH_PREFIX) if prefix is None else (prefix,):
        parsed = _parse(plaintext, kind)
        if parsed is None:
            continue
        token = store.get_oauth_token(session, parsed[0])
        stored = None if token is None else token.access_hash
        if kind == REFRESH_PREFIX:
            stored = None if token is None else token.refresh_hash
        return token if verify_secret(parsed[1], stored) else None
    return None
