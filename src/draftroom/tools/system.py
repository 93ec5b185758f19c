"""System tools: a summary of the sandbox."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from draftroom.domain.access.sandboxes import BASE_BRANCH
from draftroom.domain.audit.metrics import tool_counts
from draftroom.domain.calls.call import Call
from draftroom.domain.workspace import export_page, workspace_counts
from draftroom.domain.workspace.export import RecordType
from draftroom.tools.inputs import SandboxInput, fit_page, open_sandbox_for, sandbox
from draftroom.tools.registry import registry


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


@registry.tool(
    "system.metrics",
    summary="Summary of the sandbox",
    description="Commits, rollbacks, files changed against main, and tool calls made on this sandbox.",
)
def metrics(call: Call, body: SandboxInput) -> MetricsOutput:
    with call.services.database.session() as session:
        access = sandbox(call, session, body)
        counts = tool_counts(session, access.repo_name, access.branch)
    head = access.head()
    ahead, _ = access.repo.ahead_behind(head, BASE_BRANCH)
    return MetricsOutput(
        repo_name=access.repo_name,
        branch=access.branch,
        commits=ahead,
        rollbacks=counts.get(("git.rollback_commit", "ok"), 0),
        files_changed=len(access.repo.diff(BASE_BRANCH, head, max_patch_bytes=0).files),
        tool_calls=sum(counts.values()),
        failed_calls=sum(n for (_, outcome), n in counts.items() if outcome == "error"),
        workspace=WorkspaceMetrics(**vars(workspace_counts(access.repo, head))),
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


@registry.tool(
    "system.export",
    summary="Export the sandbox's trace as JSON",
    description=(
        "Reasoning entries, tasks, rollbacks and commits as typed records, in pages under "
        "60 KB (pass next_cursor until it is null)."
    ),
)
def export(call: Call, body: ExportInput) -> ExportOutput:
    access = open_sandbox_for(call, body)
    head = access.head()

    def fetch(limit: int) -> ExportOutput:
        page = export_page(access.repo, head, body.cursor, limit, access.branch)
        records = [ExportRecord(type=r.type, data=r.data) for r in page.records]
        return ExportOutput(records=records, next_cursor=page.next_cursor)

    return fit_page(fetch, body.limit)
