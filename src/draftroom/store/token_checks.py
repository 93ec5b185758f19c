"""Counters of wrong reuse tokens per attacked subject, checked under a row lock.

A check locks the subject's row *before* the secret is compared and keeps it until the
call's session commits, counting the check only when the token was wrong. So concurrent
wrong tokens can never compare more secrets than the limit, and concurrent right ones are
never refused for one another. The lock is SQLite's write lock (taken by the ``INSERT``) or
PostgreSQL's row lock (``FOR UPDATE``); the comparison it covers is one hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from draftroom.store.models import TokenCheckCounter


def lock_token_checks(
    session: Session, subjects: Sequence[str], now: datetime, window_start_after: datetime
) -> list[TokenCheckCounter]:
    """The counters of ``subjects`` (in that order), locked until the session's transaction
    ends: one ``INSERT`` of the missing rows and one locking ``SELECT`` for all of them, the
    rows locked in subject order everywhere, so no two checks deadlock. A window that started
    at or before ``window_start_after`` is over: it starts again now, at 0."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    ordered = sorted(set(subjects))
    session.execute(
        insert(TokenCheckCounter)
        .values([{"subject": s, "window_started_at": now, "count": 0} for s in ordered])
        .on_conflict_do_nothing(index_elements=["subject"])
    )
    found = session.scalars(
        select(TokenCheckCounter)
        .where(TokenCheckCounter.subject.in_(ordered))
        .order_by(TokenCheckCounter.subject)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    by_subject = {counter.subject: counter for counter in found}
    for counter in found:
        if counter.window_started_at <= window_start_after:
            counter.window_started_at, counter.count = now, 0
    return [by_subject[s] for s in subjects]
