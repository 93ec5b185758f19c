"""How one call (or a refused admission) ended: its one audit row and its one failure report.

Written by ``Registry.invoke`` only, whatever the transport.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from draftroom.domain.audit import record_event
from draftroom.domain.calls import (
    Call,
    FailedCall,
    Principal,
    Services,
    idempotency,
    report_failure,
)
from draftroom.domain.monitoring import CallMetrics, Ended
from draftroom.errors import DraftroomError
from draftroom.store import Database

logger = logging.getLogger("draftroom.metrics")
MESSAGE_KEPT = 500
"""Characters of a failed call's error message its audit row keeps (the console shows it)."""


@dataclass
class Outcome:
    """How one call (or a refused admission) ended, for its audit row and failure report."""

    name: str
    request_id: str
    transport: str
    client: str | None
    started: float
    error: DraftroomError | None = None
    duration_ms: float = 0.0
    claim: idempotency.Claim | None = None
    """The idempotency key this call holds, released if it fails."""

    @property
    def failed(self) -> bool:
        return self.error is not None

    def audit(
        self,
        target: Session | Database,
        key: bytes,
        principal: Principal | None,
        call: Call | None = None,
    ) -> None:
        """Write the one audit row, into a call's session or (a refusal) its own transaction."""
        self.duration_ms = (time.perf_counter() - self.started) * 1000
        fields = call.audit if call is not None else None
        detail: dict[str, Any] = {"transport": self.transport, **(fields.detail if fields else {})}
        if self.client is not None:
            detail["client"] = self.client
        if self.error is not None:  # what the caller was told (credential-shaped: redacted)
            detail["message"] = self.error.message[:MESSAGE_KEPT]
        record_event(
            target,
            key,
            request_id=self.request_id,
            tool=self.name,
            outcome="error" if self.error else "ok",
            duration_ms=self.duration_ms,
            api_key_id=principal.api_key_id if principal else None,
            token_id=fields.token_id if fields else None,
            repo=fields.repo if fields else None,
            branch=fields.branch if fields else None,
            error_code=self.error.code if self.error else None,
            commit_sha=fields.commit_sha if fields else None,
            detail=detail,
            bytes_written=fields.bytes_written if fields else None,
            org_id=principal.org_id if principal else None,
            user_id=principal.user_id if principal else None,
        )

    def report(
        self,
        services: Services,
        *,
        writes: bool,
        call: Call | None = None,
        principal: Principal | None = None,
    ) -> None:
        """Count the call in the metrics; log, count and (for writes and refused admin
        calls) alert a failure: its one report."""
        self.measure(services, call)
        if self.error is None:
            return
        failure = FailedCall(
            request_id=self.request_id,
            tool=self.name,
            code=self.error.code,
            status=self.error.status,
            repo=call.audit.repo if call else None,
            branch=call.audit.branch if call else None,
            duration_ms=self.duration_ms,
            transport=self.transport,
            writes=writes,
        )
        key = principal.api_key_id if principal else None
        report_failure(failure, services.failures, services.alerts, api_key_id=key)

    def measure(self, services: Services, call: Call | None) -> None:
        """One call in ``/metrics``; best effort, like the failure report."""
        try:
            ended = Ended(
                tool=self.name,
                seconds=self.duration_ms / 1000,
                code=self.error.code if self.error else None,
                details=self.error.details if self.error else None,
                committed=call is not None and call.audit.commit_sha is not None,
            )
            services.component(CallMetrics).record(ended)
        except Exception:  # a metric must never turn a call's answer into a 500
            logger.exception("could not count a call in the metrics")
