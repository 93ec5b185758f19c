"""Console sign-ins: a person's browser session, ``drc_<id>_<secret>`` in an HttpOnly cookie.

The session is a credential like an access token (``authenticate`` knows its prefix), stored
hashed, ended by signing out, by expiry, or when the person is removed. Its CSRF token is
derived from the cookie (HMAC), so forms carry a value an attacker's page cannot read or
forge, and nothing more is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import timedelta

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.config import Settings
from draftroom.domain.access import hash_secret, new_credential_id, verify_secret
from draftroom.domain.calls import Principal, SharedCounters
from draftroom.domain.signin.credentials import new_secret
from draftroom.domain.signin.people import check_password
from draftroom.errors import Unauthorized
from draftroom.store import utc_now

CONSOLE_PREFIX = "drc"
PRINCIPAL_PREFIX = "console:"
SIGNED_OUT = "your console session ended; sign in again"
_FORMAT = re.compile(r"drc_([a-z2-7]{12})_([A-Za-z0-9_-]{43})")
_SEEN_RESOLUTION = timedelta(minutes=1)


def is_console_session(credential: str) -> bool:
    return credential.startswith(CONSOLE_PREFIX + "_")


def open_console_session(
    session: Session,
    settings: Settings,
    email: str,
    password: str,
    *,
    address: str | None,
    org_id: int | None = None,
    counters: SharedCounters | None = None,
) -> str:
    """A new session for the person whose email and password these are: the cookie's value
    (shown once). Wrong passwords count toward the sign-in lockout."""
    user = check_password(
        session, settings, email, password, address=address, org_id=org_id, counters=counters
    )
    session_id, secret = new_credential_id(), new_secret()
    now = utc_now()
    store.add_console_session(
        session,
        id=session_id,
        user_id=user.id,
        secret_hash=hash_secret(secret),
        created_at=now,
        expires_at=now + timedelta(hours=settings.console_session_hours),
    )
    return f"{CONSOLE_PREFIX}_{session_id}_{secret}"


def _find(session: Session, plaintext: str) -> store.ConsoleSession | None:
    match = _FORMAT.fullmatch(plaintext) if len(plaintext) < 100 else None
    row = store.get_console_session(session, match.group(1)) if match else None
    # The same hash work for a malformed, unknown or wrong cookie: no oracle.
    if not verify_secret(match.group(2) if match else "", row.secret_hash if row else None):
        return None
    return row


def console_principal(session: Session, plaintext: str) -> Principal:
    """The person a live console session acts for, or ``Unauthorized``."""
    row = _find(session, plaintext)
    now = utc_now()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise Unauthorized(SIGNED_OUT)
    user = row.user
    if user.removed_at is not None:
        raise Unauthorized(SIGNED_OUT)
    if row.last_seen_at is None or now - row.last_seen_at >= _SEEN_RESOLUTION:
        row.last_seen_at = now  # committed when the caller's unit of work ends
    return Principal(
        api_key_id=PRINCIPAL_PREFIX + row.id,
        org_id=user.org_id,
        role="person",
        user_id=user.id,
        person_role=user.role,
        user_email=user.email,
        user_name=user.name,
        signed_in=True,
    )


def close_console_session(session: Session, plaintext: str) -> None:
    """Sign out: the cookie opens nothing any more (an unknown cookie changes nothing)."""
    row = _find(session, plaintext)
    if row is not None:
        store.revoke_console_sessions(session, session_id=row.id)


def csrf_token(plaintext: str) -> str:
    """The CSRF token of the forms a session's pages carry (a keyed hash of its cookie)."""
    digest = hmac.new(plaintext.encode(), b"draftroom console form", hashlib.sha256)
    return digest.hexdigest()


def csrf_matches(plaintext: str, given: str) -> bool:
    return bool(plaintext) and hmac.compare_digest(csrf_token(plaintext), given)
