"""The overview's read model: activity, failures, commits and rollbacks, merge requests
waiting and the upstream's backlog, for the org (reviewers, owners) or one member's own work.

Calls are counted by the hour, in UTC: "today" is the current hour and the 23 before it,
"this week" the current hour and the 167 before it, the chart's 168 bars, so the totals and
the chart always agree. An hour that is over stays the same, so ``HourCache`` keeps the
counts of finished hours (per org and person) and each read asks the database only for the
hours since; a worker's first overview of an org reads the whole week once. Reads only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.calls import Principal
from draftroom.domain.console.scope import sees_everyone
from draftroom.store.timestamps import utc_now

HOURS = 7 * 24
DAY_HOURS = 24
SETTLE = timedelta(minutes=5)
"""How long after an hour ends its calls may still be committing (a call's audit row is
written at its end, in its transaction): only then is the hour cached."""
UPSTREAM_STATES = ("pending", "failed", "diverged")


@dataclass(frozen=True)
class Hour:
    """One bar of the chart: the calls audited in the hour from ``start``."""

    start: datetime
    calls: int = 0
    failed: int = 0
    commits: int = 0
    rollbacks: int = 0


@dataclass(frozen=True)
class Window:
    """Calls in some hours: how many, how many failed, commits and rollbacks made."""

    calls: int = 0
    failed: int = 0
    commits: int = 0
    rollbacks: int = 0

    @property
    def failure_rate(self) -> float:
        """Failed calls as a fraction of all calls (0 when there were none)."""
        return self.failed / self.calls if self.calls else 0.0

    @classmethod
    def of(cls, hours: list[Hour]) -> Window:
        return cls(
            sum(h.calls for h in hours),
            sum(h.failed for h in hours),
            sum(h.commits for h in hours),
            sum(h.rollbacks for h in hours),
        )


@dataclass(frozen=True)
class Overview:
    everyone: bool
    """Whether the numbers are the org's (reviewers, owners) or the person's own (members)."""
    now: datetime
    active_today: int
    """Sandboxes active in the last 24 hours (to the second), and in the last 7 days."""
    active_this_week: int
    day: Window
    week: Window
    hours: list[Hour]
    """``HOURS`` bars, oldest first; the last one is the current hour."""
    merge_requests_waiting: int
    upstream: dict[str, int]
    """``pending``, ``failed`` and ``diverged`` -> branches in that state."""


@dataclass
class _Known:
    until: datetime
    """Every hour before this one is in ``hours`` (an hour without calls is absent)."""
    since: datetime
    hours: dict[datetime, Hour] = field(default_factory=dict)


class HourCache:
    """Finished hours' counts per (org, person), the newest ``scopes`` kept; thread-safe.

    One per app (``add_console`` makes it): never module state. A late correction of an old
    audit row (``draftroom audit reconcile`` clearing a commit it names) shows once the hour
    leaves the cache, after 7 days or a restart.
    """

    def __init__(self, scopes: int = 1024) -> None:
        self._scopes = scopes
        self._known: OrderedDict[tuple[int, int | None], _Known] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[int, int | None], first: datetime) -> _Known | None:
        with self._lock:
            known = self._known.get(key)
            if known is None or known.since > first:
                return None
            self._known.move_to_end(key)
            return known

    def put(self, key: tuple[int, int | None], known: _Known) -> None:
        with self._lock:
            self._known[key] = known
            self._known.move_to_end(key)
            while len(self._known) > self._scopes:
                self._known.popitem(last=False)


def hour_start(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def calls_by_hour(
    session: Session,
    org_id: int,
    user_id: int | None,
    now: datetime,
    cache: HourCache | None = None,
) -> list[Hour]:
    """The ``HOURS`` hours up to ``now``, oldest first: finished ones from ``cache`` when it
    has them, the rest (at least the current hour) from the database."""
    first = hour_start(now) - timedelta(hours=HOURS - 1)
    settled = hour_start(now - SETTLE)
    known = cache.get((org_id, user_id), first) if cache is not None else None
    start = max(known.until, first) if known is not None else first
    read = {
        row.hour: Hour(row.hour, row.calls, row.failed, row.commits, row.rollbacks)
        for row in store.calls_by_hour(session, org_id, start, now, user_id)
    }
    kept = {h: c for h, c in known.hours.items() if h >= first} if known is not None else {}
    hours = {**kept, **read}
    if cache is not None:
        until = max(settled, start)
        done = {h: c for h, c in hours.items() if h < until}
        cache.put((org_id, user_id), _Known(until=until, since=first, hours=done))
    every = (first + timedelta(hours=n) for n in range(HOURS))
    return [hours.get(at) or Hour(at) for at in every]


def read_overview(
    session: Session,
    principal: Principal,
    now: datetime | None = None,
    cache: HourCache | None = None,
) -> Overview:
    """The overview as ``principal`` may see it: the org's numbers, or a member's own."""
    now = now or utc_now()
    everyone = sees_everyone(principal)
    org_id, user_id = principal.org_id, None if everyone else principal.user_id
    if not everyone and user_id is None:  # not a person: nothing is theirs
        user_id = -1
    hours = calls_by_hour(session, org_id, user_id, now, cache)
    day, week = timedelta(days=1), timedelta(days=7)
    today, this_week = store.active_sandboxes(session, org_id, [now - day, now - week], user_id)
    outbox = store.count_outbox_states(session, org_id, user_id)
    return Overview(
        everyone=everyone,
        now=now,
        active_today=today,
        active_this_week=this_week,
        day=Window.of(hours[-DAY_HOURS:]),
        week=Window.of(hours),
        hours=hours,
        merge_requests_waiting=store.count_waiting_merge_requests(session, org_id, user_id),
        upstream={state: outbox.get(state, 0) for state in UPSTREAM_STATES},
    )
