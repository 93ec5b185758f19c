"""Who signs in: a person of an org, by email and password, under the wrong-secret lockout.

Failures count per email and per client address (a sign-in form is posted by the person's
own browser, unlike a Custom GPT's calls): ``token_failures_before_lockout`` in
``token_lockout_seconds``, the same rule as wrong reuse tokens. Never logs a password.
"""

from __future__ import annotations

import hashlib
from functools import cache

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.config import Settings
from draftroom.domain.access import (
    failure_check,
    hash_password,
    shared_failure_check,
    verify_password,
)
from draftroom.domain.calls import SharedCounters
from draftroom.errors import Conflict, Unauthorized
from draftroom.store import User

WRONG_PASSWORD = "wrong email or password"
MAX_EMAIL_LENGTH = 320
MAX_PASSWORD_LENGTH = 1024


@cache
def _dummy_hash() -> str:
    return hash_password("draftroom: no such person")


def _subjects(email: str, address: str | None) -> list[str]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]
    return [f"signin:{digest}", *([f"addr:{address[:50]}"] if address else [])]


def _too_many(subject: str) -> str:
    who = "this email" if subject.startswith("signin:") else "this address"
    return f"too many wrong passwords for {who}"


def check_password(
    session: Session,
    settings: Settings,
    email: str,
    password: str,
    *,
    address: str | None,
    org_id: int | None = None,
    counters: SharedCounters | None = None,
) -> User:
    """The live person (of ``org_id`` when given) whose email and password these are;
    ``Unauthorized`` (counted) otherwise, ``RateLimited`` once locked out. Failures are
    counted in Redis when ``counters`` (``Services.counters``) is given, else in the database."""
    email = email.strip()
    subjects = _subjects(email, address)
    hint = "try again later"
    guard = (
        failure_check(session, settings, subjects, _too_many, hint)
        if counters is None
        else shared_failure_check(counters, settings, subjects, _too_many, hint)
    )
    with guard:
        if not email or len(email) > MAX_EMAIL_LENGTH or len(password) > MAX_PASSWORD_LENGTH:
            raise Unauthorized(WRONG_PASSWORD)
        candidates = store.users_by_email(session, email, org_id) if email else []
        matched = [u for u in candidates if verify_password(password, u.password_hash)]
        if not candidates:
            verify_password(password, _dummy_hash())  # a wrong password's work: no oracle
        if not matched:
            raise Unauthorized(WRONG_PASSWORD)
        if len(matched) > 1:
            raise Conflict(
                "this email and password open several orgs; sign in through the org's own "
                "client (draftroom oauth client add --org SLUG)"
            )
        return matched[0]
