"""Making failed tool calls visible: one JSON log line each, a per-process count, an alert.

Every failed call is logged on the ``draftroom.audit`` logger as one JSON object and counted
in this process's ``FailureCounter`` (``admin.errors`` shows both the counts and the
audit table's recent failures); a failed *write*, and an admin call refused to a key
without the admin scope (someone probing), is also handed to the alert webhook. A
failure record names ids, codes and timings only: never a token, a key or file content.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.calls.alerts import AlertSender
from draftroom.store import AuditEvent, utc_now

logger = logging.getLogger("draftroom.audit")


@dataclass(frozen=True)
class FailedCall:
    request_id: str
    tool: str
    code: str
    status: int
    repo: str | None
    branch: str | None
    duration_ms: float
    transport: str
    writes: bool

    def to_dict(self) -> dict[str, Any]:
        return {"event": "tool_failed", **asdict(self), "duration_ms": round(self.duration_ms, 1)}


class FailureCounter:
    """Failed calls of this process by error code, since it started."""

    def __init__(self) -> None:
        self.since: datetime = utc_now()
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, code: str) -> None:
        with self._lock:
            self._counts[code] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)


REFUSED_SCOPE_CODE = "insufficient_scope"
"""A key without the admin scope called an admin tool: alerted, whatever the tool writes."""


def report_failure(
    failure: FailedCall,
    counter: FailureCounter,
    alerts: AlertSender,
    *,
    api_key_id: str | None = None,
) -> None:
    """Log, count and (for writes and refused admin calls) alert; never raises, so a failure
    report cannot mask the error. ``api_key_id`` (public) names the refused key in the alert."""
    try:
        logger.warning(json.dumps(failure.to_dict(), sort_keys=True))
        counter.add(failure.code)
        if failure.code == REFUSED_SCOPE_CODE:
            event = {**failure.to_dict(), "alert": "refused_admin_call", "api_key_id": api_key_id}
            alerts.send({**event, "at": utc_now().isoformat()})
        elif failure.writes:
            alerts.send({**failure.to_dict(), "at": utc_now().isoformat()})
    except Exception:  # reporting is best effort; the caller is already handling an error
        logger.exception("could not report a failed call")


def send_test_alert(alerts: AlertSender, *, request_id: str, org_id: int, api_key_id: str) -> bool:
    """Queue a test event for the webhook (delivered like any alert, in the background);
    whether a webhook is configured at all. Ids only, like every alert."""
    if alerts.url is None:
        return False
    event = {"event": "alert_test", "alert": "test", "request_id": request_id}
    alerts.send({**event, "org_id": org_id, "api_key_id": api_key_id, "at": utc_now().isoformat()})
    return True


def recent_failures(session: Session, org_id: int, limit: int) -> Sequence[AuditEvent]:
    """The org's newest failed calls from the audit table (every worker's, not just ours)."""
    return store.recent_failures(session, org_id, limit)
