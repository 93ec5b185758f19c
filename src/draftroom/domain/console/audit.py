"""The audit page and its export: strict filters from a query string, one page of rows, and
every matching row in chunks (constant memory, whatever the trail's length).

A filter is refused (``InvalidInput`` naming the parameter, a 400 page) rather than guessed:
a typo in a date must not quietly widen or empty an auditor's export.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.audit import record_of
from draftroom.domain.calls import Principal
from draftroom.errors import InvalidInput

PAGE_ROWS = 50
EXPORT_CHUNK = 500
_TEXT = {
    "tool": (re.compile(r"[a-z0-9_.]{1,100}"), "a tool name such as files.write"),
    "code": (re.compile(r"[a-z0-9_]{1,64}"), "an error code such as path_not_found"),
    "repo": (re.compile(r"[^\x00-\x1f\x7f]{1,200}"), "a repository name"),
    "branch": (re.compile(r"[^\x00-\x1f\x7f]{1,255}"), "a branch name"),
    "person": (re.compile(r"[^\x00-\x1f\x7f\s]{1,320}"), "a person's email"),
}
AUDIT_PARAMETERS = frozenset({"person", "tool", "repo", "branch", "since", "until", "before"})
FAILURE_PARAMETERS = frozenset({"tool", "code", "before"})


@dataclass(frozen=True)
class AuditQuery:
    """Validated filters: ``values`` what the person typed (kept for the form and links)."""

    where: store.AuditFilter
    before: int | None
    values: dict[str, str]


@dataclass(frozen=True)
class AuditPage:
    rows: Sequence[tuple[store.AuditEvent, str | None]]
    next_before: int | None
    """The ``before`` of the next (older) page; None on the last page."""


def parse_query(
    session: Session,
    principal: Principal,
    params: Sequence[tuple[str, str]],
    allowed: frozenset[str] = AUDIT_PARAMETERS,
    **fixed: Any,
) -> AuditQuery:
    """The filters in ``params`` (a query string's items), or ``InvalidInput`` naming the
    first bad parameter; ``fixed`` are filters the page sets itself (``outcome``)."""
    values: dict[str, str] = {}
    for name, value in params:
        if name not in allowed:
            raise _bad(name, f"is not a filter here; use {', '.join(sorted(allowed))}")
        if name in values:
            raise _bad(name, "is given twice; give it once")
        if value.strip():
            values[name] = value.strip()
    where: dict[str, Any] = {"org_id": principal.org_id, **fixed}
    for name, (pattern, what) in _TEXT.items():
        if name in values and pattern.fullmatch(values[name]) is None:
            raise _bad(name, f"must be {what}")
    for name in ("tool", "code", "repo", "branch"):
        where[name] = values.get(name)
    if "person" in values:
        where["user_id"] = _person_id(session, principal, values["person"])
    where["since"] = _instant(values, "since", end_of_day=False)
    where["until"] = _instant(values, "until", end_of_day=True)
    if where["since"] and where["until"] and where["since"] >= where["until"]:
        raise _bad("until", "must be after since")
    return AuditQuery(store.AuditFilter(**where), _before(values), values)


def _bad(name: str, problem: str) -> InvalidInput:
    return InvalidInput(f"query parameter '{name}' {problem}", parameter=name)


def _person_id(session: Session, principal: Principal, email: str) -> int:
    user = store.get_user(session, principal.org_id, email.lower())
    if user is None:  # another org's person reads exactly like nobody
        raise _bad("person", "names no person of your org")
    return user.id


def _instant(values: Mapping[str, str], name: str, *, end_of_day: bool) -> datetime | None:
    """An ISO date (a whole day: ``until`` then means its end) or date-time (UTC if no zone)."""
    text = values.get(name)
    if text is None:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return start + timedelta(days=1) if end_of_day else start
        found = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        raise _bad(
            name, "must be an ISO date (2026-12-04) or date-time (2026-12-04T09:30Z)"
        ) from None
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


def _before(values: Mapping[str, str]) -> int | None:
    text = values.get("before")
    if text is None:
        return None
    if not text.isdigit() or len(text) > 18 or int(text) < 1:
        raise _bad("before", "must be a row id (a positive whole number)")
    return int(text)


def audit_page(session: Session, query: AuditQuery) -> AuditPage:
    """One page of matching rows, newest first, and where the next one starts."""
    rows = store.audit_rows(session, query.where, before=query.before, limit=PAGE_ROWS + 1)
    more = len(rows) > PAGE_ROWS
    shown = rows[:PAGE_ROWS]
    return AuditPage(shown, shown[-1][0].id if more else None)


def export_records(
    database: store.Database, query: AuditQuery, org: str
) -> Iterator[dict[str, Any]]:
    """Every matching row as an export record, newest first, read ``EXPORT_CHUNK`` at a time
    (each chunk in its own short transaction: a long download holds no transaction open)."""
    before = query.before
    while True:
        with database.session() as session:
            rows = store.audit_rows(session, query.where, before=before, limit=EXPORT_CHUNK)
            records = [record_of(event, org, email) for event, email in rows]
        yield from records
        if len(rows) < EXPORT_CHUNK:
            return
        before = records[-1]["id"]
