from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from draftroom.store import Database, Org, utc_now


def test_utc_now_is_aware_utc() -> None:
    assert utc_now().utcoffset() == timedelta(0)


def test_timestamps_come_back_aware_in_utc(database: Database) -> None:
    created = datetime(2024, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
    with database.session() as session:
        session.add(Org(name="acme", created_at=created))
    with database.session() as session:
        loaded = session.scalars(select(Org)).one().created_at
    assert loaded == created
    assert loaded.tzinfo == UTC


def test_other_zones_are_stored_as_the_same_instant_in_utc(database: Database) -> None:
    tokyo = datetime(2024, 3, 1, 21, 0, tzinfo=timezone(timedelta(hours=9)))
    with database.session() as session:
        session.add(Org(name="acme", created_at=tokyo))
    with database.session() as session:
        loaded = session.scalars(select(Org)).one().created_at
    assert loaded == tokyo
    assert (loaded.hour, loaded.tzinfo) == (12, UTC)


def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"), database.session() as session:
        session.add(Org(name="acme", created_at=datetime(2024, 3, 1)))
        session.flush()


def test_defaults_are_aware_utc(database: Database) -> None:
    before = utc_now()
    with database.session() as session:
        session.add(Org(name="acme"))
    with database.session() as session:
        created_at = session.scalars(select(Org)).one().created_at
    assert before <= created_at <= utc_now()
