"""An org's people as its owners manage them: added with a role (and perhaps a password),
listed with their keys, removed.

A password is kept only as an argon2id hash: this module never returns, logs or audits one.
Removing a person keeps their row (their sandboxes and audit rows still name them) and stops
their keys at once: ``authenticate_api_key`` refuses the keys of a removed person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.calls import Call
from draftroom.errors import InvalidInput, LastOwner, NotFound
from draftroom.store.timestamps import utc_now

EMAIL_MAX_LENGTH = 320
PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 1024
"""Longest password hashed: argon2 reads all of it, and no one types more."""
_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f]+@(?:[^@\s\x00-\x1f\x7f.]+\.)+[^@\s\x00-\x1f\x7f.]+")
# argon2id (the library's default type) with its default cost: ~50 ms and 64 MiB per hash.
_HASHER = PasswordHasher()


@dataclass(frozen=True)
class Person:
    """A person of the org with how many of their keys work now."""

    user: store.User
    live_keys: int


def normalized_email(email: str) -> str:
    """``email`` in lowercase, or ``InvalidInput`` naming what is wrong with it."""
    found = email.strip().lower()
    if len(found) > EMAIL_MAX_LENGTH:
        raise InvalidInput(f"email is {len(found)} characters long; at most {EMAIL_MAX_LENGTH}")
    if _EMAIL.fullmatch(found) is None:
        raise InvalidInput(
            f"email {email[:80]!r} is not an address: give one '@' followed by a dotted "
            "domain, e.g. ada@example.com"
        )
    return found


def hash_password(password: str) -> str:
    """The argon2id hash stored for ``password``; ``InvalidInput`` if its length is wrong."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise InvalidInput(f"password must be at least {PASSWORD_MIN_LENGTH} characters long")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise InvalidInput(f"password must be at most {PASSWORD_MAX_LENGTH} characters long")
    return _HASHER.hash(password)


def verify_password(password: str, stored_hash: str | None) -> bool:
    """Whether ``password`` is the one ``stored_hash`` was made from (None: no password)."""
    if stored_hash is None:
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def add_person(
    call: Call,
    session: Session,
    email: str,
    role: store.PersonRole,
    name: str | None = None,
    password: str | None = None,
) -> store.User:
    """Add a person to the caller's org; 409 ``already_exists`` if the email is taken."""
    address = normalized_email(email)
    password_hash = None if password is None else hash_password(password)
    user = store.add_user(session, call.principal.org_id, address, role, name, password_hash)
    call.audit.detail.update(person_id=user.id, role=role)
    return user


def org_people(call: Call, session: Session) -> list[Person]:
    """The caller's org's people, removed ones too, by email, with their working keys."""
    keys = store.list_api_keys(session, call.principal.org_id)
    return [
        Person(user, _live_keys(user, keys))
        for user in store.list_users(session, call.principal.org_id)
    ]


def _live_keys(user: store.User, keys: Sequence[store.ApiKey]) -> int:
    if user.removed_at is not None:
        return 0
    return sum(1 for key in keys if key.user_id == user.id and key.revoked_at is None)


def find_person(call: Call, session: Session, email: str, *, live: bool = True) -> store.User:
    """The person of the caller's org with ``email`` (``live``: not removed), else 404."""
    address = email.strip().lower()
    user = store.get_user(session, call.principal.org_id, address)
    if user is None or (live and user.removed_at is not None):
        raise NotFound(
            f"no person with email {email[:EMAIL_MAX_LENGTH]!r} in your org; list them with "
            "admin.users.list",
            email=email[:EMAIL_MAX_LENGTH],
        )
    return user


def remove_person(call: Call, session: Session, email: str) -> Person:
    """Mark the person removed (idempotent: the first time is kept); their keys stop at once.
    409 ``last_owner`` for the org's last live owner."""
    user = find_person(call, session, email, live=False)
    call.audit.detail.update(person_id=user.id, role=user.role)
    if user.removed_at is None:
        _keep_an_owner(session, user, "remove")
        user.removed_at = utc_now()
    return Person(user, 0)


def set_person_role(call: Call, session: Session, email: str, role: store.PersonRole) -> Person:
    """Give a live person ``role`` (idempotent). Their keys and console sessions act with it
    from their next call: every call reads the role afresh. 409 ``last_owner`` when it would
    leave the org without a live owner."""
    user = find_person(call, session, email)
    call.audit.detail.update(person_id=user.id, role=role, previous_role=user.role)
    if user.role == "owner" and role != "owner":
        _keep_an_owner(session, user, "demote")
    user.role = role
    session.flush()
    keys = store.list_api_keys(session, call.principal.org_id)
    return Person(user, _live_keys(user, keys))


def _keep_an_owner(session: Session, user: store.User, action: str) -> None:
    """Refuse to remove or demote the org's last live owner (nobody could then manage people
    from the console; the data dir's owner at the shell still could)."""
    if user.role != "owner" or user.removed_at is not None:
        return
    others = [owner for owner in store.live_owners(session, user.org_id) if owner.id != user.id]
    if not others:
        raise LastOwner(
            f"cannot {action} {user.email!r}: they are the org's last owner; make another "
            "person owner first (admin.users.set)",
            email=user.email,
        )
