"""Counters of reuse-token checks per attacked subject, reserved atomically.

A check takes a unit *before* the secret is compared and gives it back when the token was
right, so concurrent wrong tokens can never compare more secrets than the limit: the
conditional ``UPDATE`` is serialised by SQLite's write lock and by PostgreSQL's row lock
(which re-reads the row before applying its condition).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from draftroom.store.models import TokenCheckCounter


def reserve_token_check(
    session: Session, subject: str, now: datetime, window_start_after: datetime, limit: int
) -> tuple[bool, datetime]:
    """Count one check against ``subject``: whether it fits under ``limit``, and when its
    window started. A window that started at or before ``window_start_after`` is over: the
    count starts again from this check."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(TokenCheckCounter)
        .values(subject=subject, window_started_at=now, count=0)
        .on_conflict_do_nothing(index_elements=["subject"])
    )
    over = TokenCheckCounter.window_started_at <= window_start_after
    reserved = session.execute(
        update(TokenCheckCounter)
        .where(TokenCheckCounter.subject == subject, or_(over, TokenCheckCounter.count < limit))
        .values(
            count=case((over, 1), else_=TokenCheckCounter.count + 1),
            window_started_at=case((over, now), else_=TokenCheckCounter.window_started_at),
        )
        .execution_options(synchronize_session=False)
    )
    started: datetime = session.scalars(
        select(TokenCheckCounter.window_started_at).where(TokenCheckCounter.subject == subject)
    ).one()
    return reserved.rowcount == 1, started  # type: ignore[attr-defined]


def release_token_check(session: Session, subject: str, window_started_at: datetime) -> None:
    """Give back one check (the token was right), if its window is still the current one."""
    session.execute(
        update(TokenCheckCounter)
        .where(
            TokenCheckCounter.subject == subject,
            TokenCheckCounter.count > 0,
            TokenCheckCounter.window_started_at == window_started_at,
        )
        .values(count=TokenCheckCounter.count - 1)
        .execution_options(synchronize_session=False)
    )
