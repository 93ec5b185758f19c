"""Idempotency keys: which writing call first used a key, and (once done) its answer.

A key is claimed by inserting its row in its own committed transaction, so a concurrent
retry in another worker sees it; the unique (api key, tool, key hash) constraint decides
which of two simultaneous first calls runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from draftroom.store.conflicts import is_unique_violation
from draftroom.store.database import Database
from draftroom.store.models import IdempotencyKey, IdempotencyState


@dataclass(frozen=True)
class KeyUse:
    """One use of an idempotency key: who, which tool, which key (hashed)."""

    api_key_id: str
    tool: str
    key_hash: str


@dataclass(frozen=True)
class FirstUse:
    """The row a retry found: the first call's request, and its answer once it is done."""

    request_hash: str
    request_id: str
    state: IdempotencyState
    response: str | None


def claim_idempotency_key(
    database: Database,
    use: KeyUse,
    *,
    request_hash: str,
    request_id: str,
    now: datetime,
    expired_before: datetime,
    abandoned_before: datetime,
) -> FirstUse | None:
    """Claim ``use`` for ``request_id`` (None), or return the live first use of it.

    A row older than ``expired_before``, or still running since before ``abandoned_before``
    (its worker died), is replaced.
    """
    for _ in range(3):
        with database.session() as session:
            delete_expired_idempotency_keys(session, expired_before)
            found = _find(session, use)
            if found is not None and not (
                found.created_at <= expired_before
                or (found.state == "running" and found.created_at <= abandoned_before)
            ):
                return FirstUse(found.request_hash, found.request_id, found.state, found.response)
            if found is not None:
                session.delete(found)
                session.flush()
        try:
            with database.session() as session:
                session.add(
                    IdempotencyKey(
                        api_key_id=use.api_key_id,
                        tool=use.tool,
                        key_hash=use.key_hash,
                        request_hash=request_hash,
                        request_id=request_id,
                        state="running",
                        created_at=now,
                    )
                )
            return None
        except IntegrityError as exc:  # another call claimed it in between: look again
            if not is_unique_violation(exc):
                raise
    raise AssertionError("an idempotency key kept changing hands")


def finish_idempotency_key(
    session: Session, use: KeyUse, *, request_id: str, response: str
) -> None:
    """Store the answer of the call that holds the claim (in that call's transaction)."""
    session.execute(
        update(IdempotencyKey)
        .where(*_of(use), IdempotencyKey.request_id == request_id)
        .values(state="done", response=response)
    )


def release_idempotency_key(database: Database, use: KeyUse, *, request_id: str) -> None:
    """Drop the claim of a call that wrote nothing, so a retry runs it again."""
    with database.session() as session:
        session.execute(
            delete(IdempotencyKey).where(*_of(use), IdempotencyKey.request_id == request_id)
        )


def delete_expired_idempotency_keys(session: Session, before: datetime) -> int:
    """Forget keys claimed before ``before``; how many."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def _of(use: KeyUse) -> tuple[ColumnElement[bool], ...]:
    return (
        IdempotencyKey.api_key_id == use.api_key_id,
        IdempotencyKey.tool == use.tool,
        IdempotencyKey.key_hash == use.key_hash,
    )


def _find(session: Session, use: KeyUse) -> IdempotencyKey | None:
    return session.scalars(select(IdempotencyKey).where(*_of(use))).one_or_none()
