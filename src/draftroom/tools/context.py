"""Context tools: a compact briefing for a user or assistant coming back to a sandbox."""

from __future__ import annotations

from pydantic import BaseModel, Field

from draftroom.domain.access import SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.workspace import resume_briefing
from draftroom.tools.declaration import tool
from draftroom.tools.inputs import SandboxInput


class ResumeInput(SandboxInput):
    max_chars: int = Field(4_000, ge=1_000, le=20_000, description="Longest briefing to return.")


class ResumeOutput(BaseModel):
    repo_name: str
    branch: str
    head: str
    briefing: str = Field(description="Markdown: project, goals, open tasks, memories, changes.")
    chars: int
    truncated: bool = Field(description="True when lines were cut to fit max_chars.")
    omitted: dict[str, int] = Field(description="Per section, entries not shown.")
    invalid_files: list[str] = Field(description="Workspace files that do not parse: fix them.")


@tool(
    "context.resume",
    summary="Catch up on a project",
    description=(
        "Call first when a user returns with a reuse token: project name and goals, open "
        "tasks, latest memories, last changes and rollbacks, always within max_chars."
    ),
)
def resume(call: Call, sandbox: SandboxAccess, body: ResumeInput) -> ResumeOutput:
    head = sandbox.head()
    briefing = resume_briefing(sandbox.repo, head, body.max_chars, sandbox.branch)
    return ResumeOutput(
        repo_name=sandbox.repo_name,
        branch=sandbox.branch,
        head=head,
        briefing=briefing.text,
        chars=len(briefing.text),
        truncated=briefing.truncated,
        omitted=briefing.omitted,
        invalid_files=briefing.invalid_files,
    )
