"""Admin view of failed tool calls (this process's counts and the audit table's recent rows)
and a test of the alert webhook."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from draftroom.domain.calls import Call, recent_failures, send_test_alert
from draftroom.tools.declaration import tool


class ErrorsInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(50, ge=1, le=500, description="Most recent failures to list.")


class Failure(BaseModel):
    at: datetime
    request_id: str
    tool: str
    error_code: str | None
    repo: str | None
    branch: str | None
    api_key_id: str | None
    token_id: str | None
    duration_ms: float


class ErrorsOutput(BaseModel):
    counted_since: datetime = Field(description="When this server process started counting.")
    counts: dict[str, int] = Field(description="Failed calls in this process, by error code.")
    total: int
    recent: list[Failure] = Field(description="Newest failures of your org, from every process.")


@tool(
    "admin.errors",
    summary="Recent failed tool calls",
    description="Failure counts of this server process by error code, and your org's newest failed calls.",
    scope="admin",
    http_method="GET",
    http_path="/admin/errors",
)
def errors(call: Call, sandbox: None, body: ErrorsInput) -> ErrorsOutput:
    counts = call.services.failures.snapshot()
    rows = recent_failures(call.session, call.principal.org_id, body.limit)
    recent = [Failure.model_validate(row, from_attributes=True) for row in rows]
    return ErrorsOutput(
        counted_since=call.services.failures.since,
        counts=counts,
        total=sum(counts.values()),
        recent=recent,
    )


class AlertTestInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AlertTestOutput(BaseModel):
    configured: bool = Field(description="Whether this server has an alert webhook.")
    queued: bool = Field(description="A test event was queued (only with a webhook).")
    host: str | None = Field(
        description="The webhook's host, never its path (it may hold a secret)."
    )
    delivered: int = Field(description="Alerts this server process delivered so far.")
    dropped: int = Field(description="Alerts this process gave up on (webhook down, queue full).")


@tool(
    "admin.alerts.test",
    summary="Send a test alert",
    description=(
        "Queues a test event for the server's alert webhook (DRAFTROOM_ALERT_WEBHOOK_URL), "
        "delivered in the background with retries; answers whether one is configured."
    ),
    scope="admin",
    writes=True,
    http_path="/admin/alerts/test",
)
def send_test(call: Call, sandbox: None, body: AlertTestInput) -> AlertTestOutput:
    alerts = call.services.alerts
    principal = call.principal
    queued = send_test_alert(
        alerts,
        request_id=call.request_id,
        org_id=principal.org_id,
        api_key_id=principal.api_key_id,
    )
    return AlertTestOutput(
        configured=alerts.url is not None,
        queued=queued,
        host=alerts.host,
        delivered=alerts.delivered,
        dropped=alerts.dropped,
    )
