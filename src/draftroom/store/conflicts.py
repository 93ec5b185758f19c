"""Turning the database's unique-constraint violations into ``AlreadyExists``.

Callers check for a duplicate first so the common case leaves the session usable; this
covers the race where another process inserts the same row between check and flush.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from draftroom.errors import AlreadyExists

_PG_UNIQUE_VIOLATION = "23505"


def is_unique_violation(exc: IntegrityError) -> bool:
    """True for a duplicate key on either backend (not for a foreign key or check failure)."""
    if getattr(exc.orig, "sqlstate", None) == _PG_UNIQUE_VIOLATION:
        return True
    message = str(exc.orig)
    return "UNIQUE constraint failed" in message or "PRIMARY KEY constraint failed" in message


@contextmanager
def unique_as_already_exists(error: AlreadyExists) -> Iterator[None]:
    """Raise ``error`` if the block violates a unique constraint; the session must roll back."""
    try:
        yield
    except IntegrityError as exc:
        if is_unique_violation(exc):
            raise error from exc
        raise
