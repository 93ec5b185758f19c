"""Leases held in one row each: one holder across every node until a time, no waiting.

A lease row has a primary key, a ``holder`` and an ``until``. Claiming it is an ``UPDATE``
when the row is free (released: ``until`` is NULL), expired or already ours, else the first
row's ``INSERT`` in a savepoint, where a primary-key violation means another process just
claimed it. A claim never blocks: the caller tries again later.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from draftroom.store.models import Base


def claim_row_lease(
    session: Session,
    model: type[Base],
    key_column: str,
    key: str,
    holder: str,
    now: datetime,
    until: datetime,
) -> bool:
    """Hold ``model``'s row ``key_column == key`` until ``until`` for ``holder`` if it is free,
    expired at ``now`` or already ``holder``'s; False if another holder has it."""
    row = model.__table__.c
    claimed = session.execute(
        update(model)
        .where(
            row[key_column] == key,
            or_(row.until.is_(None), row.until < now, row.holder == holder),
        )
        .values(holder=holder, until=until)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0):
        return True
    try:
        with session.begin_nested():
            session.add(model(**{key_column: key, "holder": holder, "until": until}))
        return True
    except IntegrityError:
        return False  # another process inserted the row first
