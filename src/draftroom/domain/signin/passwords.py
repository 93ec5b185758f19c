"""Passwords of people: argon2id hashes (argon2-cffi's defaults), never a password stored.

The one place a password is hashed or checked; nothing here logs or returns one.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted, with the library's current parameters)."""
    return PasswordHasher().hash(password)


@cache
def _dummy_hash() -> str:
    return hash_password("draftroom: no such person")


def verify_password(password: str, stored_hash: str | None) -> bool:
    """Whether ``password`` matches ``stored_hash``; None (no such person, or no password
    set) costs one argon2 check too, so a missing person takes as long as a wrong password."""
    try:
        matched = PasswordHasher().verify(stored_hash or _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return bool(matched) and stored_hash is not None
