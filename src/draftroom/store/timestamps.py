"""UTC timestamps that survive the round trip through SQLite and PostgreSQL.

SQLite has no time zone type and PostgreSQL answers in the session's zone; this column type
stores UTC on both and always hands back an aware UTC ``datetime``. It never accepts a naive
datetime: guessing its zone is how audit trails end up an hour off.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator


def utc_now() -> datetime:
    """The current time, aware and in UTC (the only kind the store takes)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that stores UTC and returns aware UTC datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime (use UTC)")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # SQLite's text format has no offset; every stored value is UTC by construction.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
