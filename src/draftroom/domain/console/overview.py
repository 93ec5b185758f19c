"""The overview's read model: activity, failures, commits and rollbacks, merge requests
waiting and the upstream's backlog, for the org (reviewers, owners) or one member's own work.

Windows are rolling and in UTC: "today" is the last 24 hours, "this week" the last 7 days;
the chart has one bar per hour, the current (partial) hour last. Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.calls import Principal
from draftroom.domain.console.scope import sees_everyone
from draftroom.store.timestamps import utc_now

HOURS = 7 * 24
DAY = timedelta(days=1)
WEEK = timedelta(days=7)
UPSTREAM_STATES = ("pending", "failed", "diverged")


@dataclass(frozen=True)
class Window:
    """Calls in a rolling window: how many, how many failed, commits and rollbacks made."""

    calls: int = 0
    failed: int = 0
    commits: int = 0
    rollbacks: int = 0

    @property
    def failure_rate(self) -> float:
        """Failed calls as a fraction of all calls (0 when there were none)."""
        return self.failed / self.calls if self.calls else 0.0

    def plus(self, hour: store.HourOfCalls) -> Window:
        return Window(
            self.calls + hour.calls,
            self.failed + hour.failed,
            self.commits + hour.commits,
            self.rollbacks + hour.rollbacks,
        )


@dataclass(frozen=True)
class Hour:
    """One bar of the chart: the calls that started in the hour from ``start``."""

    start: datetime
    calls: int = 0
    failed: int = 0


@dataclass(frozen=True)
class Overview:
    everyone: bool
    """Whether the numbers are the org's (reviewers, owners) or the person's own (members)."""
    now: datetime
    active_today: int
    active_this_week: int
    day: Window
    week: Window
    hours: list[Hour]
    """``HOURS`` bars, oldest first; the last one is the current hour."""
    merge_requests_waiting: int
    upstream: dict[str, int]
    """``pending``, ``failed`` and ``diverged`` -> branches in that state."""


def hour_start(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def read_overview(session: Session, principal: Principal, now: datetime | None = None) -> Overview:
    """The overview as ``principal`` may see it: the org's numbers, or a member's own."""
    now = now or utc_now()
    everyone = sees_everyone(principal)
    org_id, user_id = principal.org_id, None if everyone else principal.user_id
    if not everyone and user_id is None:  # not a person: nothing is theirs
        user_id = -1
    first = hour_start(now) - timedelta(hours=HOURS - 1)
    rows = store.calls_by_hour(session, org_id, now - WEEK, now, now - DAY, user_id)
    day, week = Window(), Window()
    by_hour: dict[datetime, tuple[int, int]] = {}
    for row in rows:
        week = week.plus(row)
        if row.recent:
            day = day.plus(row)
        calls, failed = by_hour.get(row.hour, (0, 0))
        by_hour[row.hour] = (calls + row.calls, failed + row.failed)
    hours = []
    for n in range(HOURS):
        start = first + timedelta(hours=n)
        calls, failed = by_hour.get(start, (0, 0))
        hours.append(Hour(start, calls, failed))
    today, this_week = store.active_sandboxes(session, org_id, [now - DAY, now - WEEK], user_id)
    outbox = store.count_outbox_states(session, org_id, user_id)
    return Overview(
        everyone=everyone,
        now=now,
        active_today=today,
        active_this_week=this_week,
        day=day,
        week=week,
        hours=hours,
        merge_requests_waiting=store.count_waiting_merge_requests(session, org_id, user_id),
        upstream={state: outbox.get(state, 0) for state in UPSTREAM_STATES},
    )
