"""Timestamps in workspace files: written as UTC ISO 8601, read back from what a person typed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from draftroom.domain.workspace.formats import ItemProblem


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def parse_time(value: object, field: str) -> datetime | None:
    """An aware UTC datetime from a YAML value (string, date or datetime); None if absent."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        at = value
    elif isinstance(value, date):
        at = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            at = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ItemProblem(
                f"{field} {value!r} is not an ISO 8601 time like '2026-01-31T09:30:00+00:00'"
            ) from None
    else:
        raise ItemProblem(f"{field} must be an ISO 8601 time, got {type(value).__name__}")
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
