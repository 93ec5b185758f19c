"""Sandbox tools: start or resume a private branch, and see where it stands."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from draftroom.domain.access import (
    BASE_BRANCH,
    SandboxAccess,
    create_sandbox,
    latest_own_sandbox,
    open_callers_sandbox,
    open_sandbox,
    refuse_named_sandbox,
)
from draftroom.domain.calls import Call
from draftroom.domain.human_changes import main_overlap
from draftroom.domain.merge import LAST_ROLLBACKS, State, standing
from draftroom.domain.templates import BUILTIN_VERSION, resolve_template
from draftroom.domain.upstream import (
    MainUpstreamState,
    UpstreamState,
    sandbox_upstream_status,
)
from draftroom.domain.workspace import TEMPLATES, Starter, check_project, scaffold_project
from draftroom.tools.declaration import tool
from draftroom.tools.inputs import SandboxInput


class InitInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    repo_name: str = Field(..., min_length=1, max_length=200, description="Repository name.")
    mode: Literal["branch", "project"] = Field("branch", description="'branch' or 'project'.")
    reuse_token: str | None = Field(
        None, max_length=200, description="Pass the token you were given to resume your sandbox."
    )
    branch: str | None = Field(
        None,
        max_length=250,
        description="Optional: your sandbox branch. Without its reuse_token: token_required.",
    )
    new: bool = Field(False, description="Signed in: start a new sandbox, not resume.")
    project_name: str | None = Field(
        None, min_length=1, max_length=200, pattern=r"\S", description="mode 'project': not blank."
    )
    goals: list[str] | None = Field(None, max_length=50)
    template: str | None = Field(
        None,
        max_length=100,
        description="mode 'project': NAME or NAME@VERSION from templates.list (default: default).",
    )


class InitOutput(BaseModel):
    repo_name: str
    branch: str
    reuse_token: str | None = Field(
        None, description="Shown once: tell the user to save it to come back later."
    )
    head: str
    created: bool
    scaffolded: list[str] = Field(
        default_factory=list, description="Workspace files this call created (mode 'project')."
    )
    template: str | None = Field(None, description="mode 'project': NAME@VERSION started from.")


@tool(
    "sandbox.init",
    summary="Start or resume a private sandbox branch",
    description=(
        "Without reuse_token: creates a new sandbox branch from main and returns its reuse_token "
        "(shown once; the user must save it). With reuse_token: resumes the same branch. "
        "mode 'project' + project_name also adds memory, task and reasoning files."
    ),
    writes=True,
    created_status=201,
)
def init(call: Call, sandbox: None, body: InitInput) -> InitOutput:
    starter = None
    if body.mode == "project":
        starter = _starter(call, body)
    token: str | None = None
    with call.services.database.session() as session:
        access = _resumed(call, session, body)
        if access is None:
            if body.branch:
                refuse_named_sandbox(call, session, body.repo_name, body.branch)
            access, token = create_sandbox(call, session, body.repo_name, body.project_name)
    created = token is not None
    if call.principal.signed_in:
        token = None  # a signed-in person resumes by branch: no token to keep
    scaffolded: list[str] = []
    if body.mode == "project":
        project = body.project_name or ""
        done = scaffold_project(call, access, project, body.goals, body.template, starter)
        scaffolded = done.files
    return InitOutput(
        repo_name=access.repo_name,
        branch=access.branch,
        reuse_token=token,
        head=access.head(),
        created=created,
        scaffolded=scaffolded,
        template=_label(body, starter),
    )


def _starter(call: Call, body: InitInput) -> Starter | None:
    """What the project starts with, checked before anything is created: None for a
    built-in task-only template named without a version (as before), else the catalog's
    template (``NAME[@VERSION]``) with its files, tasks and memories."""
    if body.template is None or body.template in TEMPLATES:
        check_project(body.project_name, body.template)
        return None
    check_project(body.project_name, None)
    found = resolve_template(call.services, call.principal.org_id, body.template)
    return Starter(
        found.label,
        files=found.files,
        tasks=tuple((t.title, t.description) for t in found.tasks),
        memories=tuple((m.text, m.tags) for m in found.memories),
    )


def _label(body: InitInput, starter: Starter | None) -> str | None:
    if body.mode != "project":
        return None
    return starter.label if starter else f"{body.template or 'default'}@{BUILTIN_VERSION}"


def _resumed(call: Call, session: Session, body: InitInput) -> SandboxAccess | None:
    """The sandbox ``init`` resumes: the reuse token's; a signed-in person's own (``branch``,
    else their latest unless ``new``); None: start one."""
    if body.reuse_token:
        return open_sandbox(call, session, body.repo_name, body.reuse_token, body.branch)
    if not call.principal.signed_in:
        return None
    if body.branch:
        return open_callers_sandbox(call, session, body.repo_name, None, body.branch)
    return None if body.new else latest_own_sandbox(call, session, body.repo_name)


class MergeRequestState(BaseModel):
    id: int
    status: str = Field(description="pending, merged, rejected or superseded.")
    title: str
    merge_sha: str | None
    conflicts: list[str]


class RollbackRecord(BaseModel):
    reverted_sha: str
    reason: str
    at: str
    files: list[str]


class StatusOutput(BaseModel):
    repo_name: str
    branch: str
    head: str
    base: str = BASE_BRANCH
    ahead: int = Field(description="Commits on the sandbox that main does not have.")
    behind: int = Field(description="Commits on main that the sandbox does not have.")
    changed_files: int = Field(description="Files that differ from main.")
    state: State = Field(
        "active", description="merged: approved into main (then archived if squashed); archived."
    )
    merge_request: MergeRequestState | None = Field(None, description="The latest merge request.")
    last_rollbacks: list[RollbackRecord] = Field(
        default_factory=list, description=f"Newest first (up to {LAST_ROLLBACKS})."
    )
    upstream: UpstreamState = Field(
        "none", description="synced, pending, failed, diverged, or none (no upstream)."
    )
    upstream_pending: int = Field(0, description="Commits the upstream does not have yet.")
    upstream_error: str | None = Field(None, description="Why the last push failed or stopped.")
    main_upstream: MainUpstreamState = Field(
        "none",
        description="main vs the upstream's: synced, ahead (merge not yet published), diverged.",
    )
    main_upstream_error: str | None = Field(
        None, description="Why main is not in step (a failed fetch, or how to resolve)."
    )
    main_overlap: list[str] = Field(
        default_factory=list, description="Files main changed since your base that you changed too."
    )


@tool(
    "sandbox.status",
    summary="Where the sandbox stands against main",
    description="Head commit, commits ahead of and behind main, and how many files differ from main.",
    reads_archived=True,
)
def status(call: Call, sandbox: SandboxAccess, body: SandboxInput) -> StatusOutput:
    head = sandbox.head()
    stands = standing(call.session, sandbox, head)
    mirror = sandbox_upstream_status(call.session, sandbox, head)
    ahead, behind = sandbox.repo.ahead_behind(head, BASE_BRANCH)
    diff = sandbox.repo.diff(BASE_BRANCH, head, max_patch_bytes=0)
    return StatusOutput(
        repo_name=sandbox.repo_name,
        branch=sandbox.branch,
        head=head,
        ahead=ahead,
        behind=behind,
        changed_files=len(diff.files),
        state=stands.state,
        merge_request=MergeRequestState(
            id=stands.merge_request.id,
            status=stands.merge_request.status,
            title=stands.merge_request.title,
            merge_sha=stands.merge_request.merge_sha,
            conflicts=list(stands.merge_request.preview.get("conflicts", [])),
        )
        if stands.merge_request
        else None,
        last_rollbacks=[RollbackRecord(**record) for record in stands.last_rollbacks],
        upstream=mirror.state,
        upstream_pending=mirror.pending,
        upstream_error=mirror.last_error,
        main_upstream=mirror.main.state,
        main_upstream_error=mirror.main.error,
        main_overlap=main_overlap(sandbox.repo, head),
    )
