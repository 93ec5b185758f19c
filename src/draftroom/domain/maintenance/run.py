"""One maintenance run: under the database lease (one run at a time across every node),
each step in turn, its report returned and audited; and whether a scheduled run is due.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from draftroom import store
from draftroom.domain.audit import audit_key, record_event
from draftroom.domain.calls import Services
from draftroom.domain.maintenance.steps import STEPS, Step
from draftroom.errors import Conflict
from draftroom.store import utc_now

LEASE_SECONDS = 3600.0
"""How long a run holds the lease without renewing it (renewed before each step): a run
whose node died frees it after this."""
TOOL = "admin.maintenance.run"
logger = logging.getLogger("draftroom.maintenance")


@dataclass(frozen=True)
class Report:
    started_at: datetime
    finished_at: datetime
    steps: list[Step]


def holder_name() -> str:
    """This process, as the lease names it: host, pid and a random part."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _claim(services: Services, holder: str) -> bool:
    now = utc_now()
    with services.database.session() as session:
        return store.maintenance.claim_lease(
            session, holder, now, now + timedelta(seconds=LEASE_SECONDS)
        )


def run_maintenance(services: Services, on_step: Callable[[Step], None] | None = None) -> Report:
    """Run every step under the lease; ``Conflict`` when another run holds it."""
    holder = holder_name()
    if not _claim(services, holder):
        raise Conflict("maintenance is already running (on this or another node); try later")
    started = utc_now()
    steps: list[Step] = []
    try:
        for run_step in STEPS:
            _claim(services, holder)  # renew: a long repack must not let another run start
            step = run_step(services)
            logger.info("maintenance %s: %s", step.name, step.summary)
            steps.append(step)
            if on_step is not None:
                on_step(step)
    finally:
        with services.database.session() as session:
            store.maintenance.release_lease(session, holder, utc_now())
    return Report(started, utc_now(), steps)


def steps_detail(report: Report) -> dict[str, Any]:
    return {"steps": [step.as_dict() for step in report.steps]}


def maintenance_due(services: Services, since: datetime, now: datetime) -> bool:
    """Whether a scheduled run is due: ``maintenance_hours`` after the last run on any node
    (or after ``since``, this server's start, when none ever ran)."""
    hours = services.settings.maintenance_hours
    if hours <= 0:
        return False
    with services.database.session() as session:
        last = store.maintenance.last_finished(session)
    return now - (last or since) >= timedelta(hours=hours)


def run_scheduled(services: Services) -> Report | None:
    """A run the server's schedule starts, audited as ``maintenance.run`` (transport
    ``schedule``); None when another node's run holds the lease."""
    began = time.perf_counter()
    try:
        report = run_maintenance(services)
    except Conflict:
        return None
    record_event(
        services.database,
        audit_key(services),
        request_id=uuid.uuid4().hex,
        tool=TOOL,
        outcome="ok",
        duration_ms=(time.perf_counter() - began) * 1000,
        detail={"transport": "schedule", **steps_detail(report)},
    )
    return report
