"""Counters of wrong reuse tokens per attacked subject, checked under a row lock.

A check locks the subject's row *before* the secret is compared and keeps it until the
call's session commits, counting the check only when the token was wrong. So concurrent
wrong tokens can never compare more secrets than the limit, and concurrent right ones are
never refused for one another. The lock is SQLite's write lock (taken by the ``INSERT``) or
PostgreSQL's row lock (``FOR UPDATE``); the comparison it covers is one hash.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from draftroom.store.models import TokenCheckCounter


def lock_token_check(
    session: Session, subject: str, now: datetime, window_start_after: datetime
) -> TokenCheckCounter:
    """``subject``'s counter, locked until the session's transaction ends. A window that
    started at or before ``window_start_after`` is over: it starts again now, at 0."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(TokenCheckCounter)
        .values(subject=subject, window_started_at=now, count=0)
        .on_conflict_do_nothing(index_elements=["subject"])
    )
    counter = session.scalars(
        select(TokenCheckCounter)
        .where(TokenCheckCounter.subject == subject)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if counter.window_started_at <= window_start_after:
        counter.window_started_at, counter.count = now, 0
    return counter
