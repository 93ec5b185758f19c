"""``admin.maintenance.run``: the server's housekeeping, at the owner's command line
(``draftroom maintenance run``); servers also run it every ``DRAFTROOM_MAINTENANCE_HOURS``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from draftroom.domain.calls import Call
from draftroom.domain.maintenance import run_maintenance, steps_detail
from draftroom.tools.declaration import tool


class RunInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StepOut(BaseModel):
    name: str = Field(description="repack, stale_locks, purge_credentials or archive_idle.")
    summary: str = Field(description="What the step did, in a line.")
    counts: dict[str, Any] = Field(description="What it did, counted (and named).")
    failures: list[str] = Field(description="Repositories or sandboxes it could not handle.")


class RunOutput(BaseModel):
    started_at: datetime
    finished_at: datetime
    steps: list[StepOut]


@tool(
    "admin.maintenance.run",
    summary="Run maintenance now",
    description=(
        "Repacks repositories and prunes unreachable objects older than two weeks, removes "
        "stale lock files, purges expired tokens and sessions, archives idle sandboxes. "
        "409 while another run (any node) holds the lease."
    ),
    scope="admin",
    local_only=True,
)
def run(call: Call, sandbox: None, body: RunInput) -> RunOutput:
    report = run_maintenance(call.services)
    call.audit.detail.update(steps_detail(report))
    return RunOutput(
        started_at=report.started_at,
        finished_at=report.finished_at,
        steps=[StepOut(**step.as_dict()) for step in report.steps],
    )
