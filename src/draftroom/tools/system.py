"""System tools: a summary of the sandbox."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from draftroom.domain.access import BASE_BRANCH, SandboxAccess
from draftroom.domain.audit import tool_counts
from draftroom.domain.calls import Call
from draftroom.domain.workspace import RecordType, export_page, workspace_counts
from draftroom.tools.declaration import tool
from draftroom.tools.inputs import SandboxInput, fit_page


class WorkspaceMetrics(BaseModel):
    tasks_by_status: dict[str, int]
    memory_entries: int
    reasoning_entries: int
    invalid_files: list[str] = Field(description="Workspace files that do not parse (not counted).")


class MetricsOutput(BaseModel):
    repo_name: str
    branch: str
    commits: int = Field(description="Commits on the branch that main does not have.")
    rollbacks: int
    files_changed: int = Field(description="Files that differ from main.")
    tool_calls: int
    failed_calls: int
    workspace: WorkspaceMetrics | None = None


@tool(
    "system.metrics",
    summary="Summary of the sandbox",
    description="Commits, rollbacks, files changed against main, and tool calls made on this sandbox.",
)
def metrics(call: Call, sandbox: SandboxAccess, body: SandboxInput) -> MetricsOutput:
    counts = tool_counts(call.session, sandbox.repo_name, sandbox.branch)
    head = sandbox.head()
    ahead, _ = sandbox.repo.ahead_behind(head, BASE_BRANCH)
    return MetricsOutput(
        repo_name=sandbox.repo_name,
        branch=sandbox.branch,
        commits=ahead,
        rollbacks=counts.get(("git.rollback_commit", "ok"), 0),
        files_changed=len(sandbox.repo.diff(BASE_BRANCH, head, max_patch_bytes=0).files),
        tool_calls=sum(counts.values()),
        failed_calls=sum(n for (_, outcome), n in counts.items() if outcome == "error"),
        workspace=WorkspaceMetrics(**vars(workspace_counts(sandbox.repo, head))),
    )


class ExportInput(SandboxInput):
    cursor: str | None = Field(
        None, max_length=300, description="next_cursor from the previous page."
    )
    limit: int = Field(100, ge=1, le=500)


class ExportRecord(BaseModel):
    type: RecordType
    data: dict[str, Any]


class ExportOutput(BaseModel):
    records: list[ExportRecord] = Field(
        description="Reasoning and tasks oldest first, then rollbacks, then changes newest first."
    )
    next_cursor: str | None


@tool(
    "system.export",
    summary="Export the sandbox's trace as JSON",
    description=(
        "Reasoning entries, tasks, rollbacks and commits as typed records, in pages under "
        "60 KB (pass next_cursor until it is null)."
    ),
)
def export(call: Call, sandbox: SandboxAccess, body: ExportInput) -> ExportOutput:
    head = sandbox.head()

    def fetch(limit: int) -> ExportOutput:
        page = export_page(sandbox.repo, head, body.cursor, limit, sandbox.branch)
        records = [ExportRecord(type=r.type, data=r.data) for r in page.records]
        return ExportOutput(records=records, next_cursor=page.next_cursor)

    return fit_page(fetch, body.limit)
