"""Sandbox tools: start or resume a private branch, and see where it stands."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from draftroom.domain.calls import Call
from draftroom.domain.sandboxes import BASE_BRANCH, create_sandbox, open_sandbox
from draftroom.tools.inputs import SandboxInput, sandbox
from draftroom.tools.registry import registry


class InitInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    repo_name: str = Field(..., min_length=1, max_length=200, description="Repository name.")
    mode: Literal["branch", "project"] = Field("branch", description="'branch' or 'project'.")
    reuse_token: str | None = Field(
        None, max_length=200, description="Pass the token you were given to resume your sandbox."
    )
    branch: str | None = Field(None, max_length=250, description="Optional: your sandbox branch.")
    project_name: str | None = Field(None, max_length=200)
    goals: list[str] | None = Field(None, max_length=50)


class InitOutput(BaseModel):
    repo_name: str
    branch: str
    reuse_token: str | None = Field(
        None, description="Shown once: tell the user to save it to come back later."
    )
    head: str
    created: bool


@registry.tool(
    "sandbox.init",
    summary="Start or resume a private sandbox branch",
    description=(
        "Without reuse_token: creates a new sandbox branch from main and returns its reuse_token "
        "(shown once; the user must save it). With reuse_token: resumes the same branch."
    ),
    writes=True,
    created_status=201,
)
def init(call: Call, body: InitInput) -> InitOutput:
    with call.services.database.session() as session:
        if body.reuse_token:
            access = open_sandbox(call, session, body.repo_name, body.reuse_token, body.branch)
            return InitOutput(
                repo_name=access.repo_name, branch=access.branch, head=access.head(), created=False
            )
        access, token = create_sandbox(call, session, body.repo_name, body.project_name)
    return InitOutput(
        repo_name=access.repo_name,
        branch=access.branch,
        reuse_token=token,
        head=access.head(),
        created=True,
    )


class StatusOutput(BaseModel):
    repo_name: str
    branch: str
    head: str
    base: str = BASE_BRANCH
    ahead: int = Field(description="Commits on the sandbox that main does not have.")
    behind: int = Field(description="Commits on main that the sandbox does not have.")
    changed_files: int = Field(description="Files that differ from main.")


@registry.tool(
    "sandbox.status",
    summary="Where the sandbox stands against main",
    description="Head commit, commits ahead of and behind main, and how many files differ from main.",
)
def status(call: Call, body: SandboxInput) -> StatusOutput:
    with call.services.database.session() as session:
        access = sandbox(call, session, body)
    head = access.head()
    ahead, behind = access.repo.ahead_behind(head, BASE_BRANCH)
    diff = access.repo.diff(BASE_BRANCH, head, max_patch_bytes=0)
    return StatusOutput(
        repo_name=access.repo_name,
        branch=access.branch,
        head=head,
        ahead=ahead,
        behind=behind,
        changed_files=len(diff.files),
    )
