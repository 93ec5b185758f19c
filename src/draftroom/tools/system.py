"""System tools: a summary of the sandbox."""

from __future__ import annotations

from pydantic import BaseModel, Field

from draftroom.domain.calls import Call
from draftroom.domain.metrics import tool_counts
from draftroom.domain.sandboxes import BASE_BRANCH
from draftroom.tools.inputs import SandboxInput, sandbox
from draftroom.tools.registry import registry


class MetricsOutput(BaseModel):
    repo_name: str
    branch: str
    commits: int = Field(description="Commits on the branch that main does not have.")
    rollbacks: int
    files_changed: int = Field(description="Files that differ from main.")
    tool_calls: int
    failed_calls: int


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
    )
