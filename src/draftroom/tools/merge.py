"""Merge tools: a sandbox asks to merge into main; admins list, show, approve and reject.

``merge.request`` only records a request; the admin tools (an admin API key, or the CLI)
are the only way anything reaches ``main``.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from draftroom.domain.access import SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.merge import MergeRequestView
from draftroom.domain.merge import requests as merges
from draftroom.store import MergeRequestStatus
from draftroom.tools.declaration import tool
from draftroom.tools.inputs import SandboxInput, id_page

ADMIN_PATH = "/admin/merge_requests"


class PreviewFile(BaseModel):
    path: str
    status: Literal["added", "modified", "deleted", "renamed"]
    old_path: str | None = None
    additions: int
    deletions: int
    binary: bool


class Published(BaseModel):
    mode: str = Field(description="'push' (main pushed upstream) or 'pull_request'.")
    state: str
    sha: str | None = None
    pull_request_url: str | None = None
    error: str | None = None


class Overlap(BaseModel):
    branch: str
    merge_request_id: int | None = Field(description="Its pending request, if any.")
    paths: list[str] = Field(description="Files both change (first 20).")


class Preview(BaseModel):
    base: str | None
    source_head: str = Field(description="The commit the request merges.")
    target_head: str = Field(description="main's head when the preview was made.")
    up_to_date: bool
    fast_forward: bool
    files: list[PreviewFile] = Field(
        description=f"Files outside .logs/ (first {merges.PREVIEW_FILES})."
    )
    files_total: int
    log_files: int = Field(description="Changed files under .logs/ (not listed).")
    additions: int
    deletions: int
    conflicts: list[str] = Field(
        description="Paths that conflict with main: fix them before approval."
    )
    published: Published | None = Field(
        None, description="Where an approved merge went upstream, with the pull request URL."
    )
    resolved: list[str] = Field(description=".logs/ lists merged as a union, no conflict.")
    strategy: merges.Strategy | None = Field(None, description="How an approved one landed.")
    overlapping: list[Overlap] = Field(
        [], description="Other open sandboxes and pending requests changing the same files."
    )
    warning: str | None = Field(
        None, description="Conflicts with changes already on main: call sandbox.sync."
    )


class PatchFile(PreviewFile):
    patch: str = Field(description="Unified diff ('' when binary or past the cap).")


class PatchOut(BaseModel):
    files: list[PatchFile] = Field(description="Outside .logs/ and the workspace files.")
    truncated: bool = Field(description="True when patch text was left out to fit the cap.")


class MergeRequestOut(BaseModel):
    id: int
    repo_name: str
    branch: str
    title: str
    description: str | None
    status: MergeRequestStatus
    source_sha: str
    created_at: datetime
    requested_by: str | None = Field(description="API key id of whoever asked.")
    requested_by_person: str | None = Field(None, description="Email of the person who asked.")
    decided_at: datetime | None
    decided_by: str | None = Field(description="API key id of the approver ('cli': the CLI).")
    decided_by_person: str | None = Field(None, description="Email of the person who decided.")
    decision_note: str | None
    merge_sha: str | None
    preview: Preview
    patch: PatchOut | None = Field(None, description="With patch=true: what it brings to main.")


def out(found: MergeRequestView) -> MergeRequestOut:
    return MergeRequestOut.model_validate(asdict(found))


class RequestInput(SandboxInput):
    title: str = Field(..., min_length=1, max_length=200, description="One line: what it brings.")
    description: str | None = Field(None, max_length=10_000, description="Why, for the reviewer.")


@tool(
    "merge.request",
    summary="Ask a human to merge the sandbox into main",
    description=(
        "Opens a pending merge request for your branch's head with a preview (files, "
        "additions/deletions, conflicts with main, other sandboxes changing the same files; "
        "resolve conflicts with /sandbox/sync). "
        "Only a human can approve it."
    ),
    writes=True,
    created_status=201,
)
def request(call: Call, sandbox: SandboxAccess, body: RequestInput) -> MergeRequestOut:
    return out(merges.request_merge(call, call.session, sandbox, body.title, body.description))


class ListInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: MergeRequestStatus | None = None
    repo_name: str | None = Field(None, max_length=200)
    cursor: int | None = Field(None, ge=1, description="next_cursor of the previous page.")
    limit: int = Field(50, ge=1, le=200)


class ListOutput(BaseModel):
    merge_requests: list[MergeRequestOut]
    next_cursor: int | None


@tool(
    "merge.list",
    summary="List merge requests",
    description="Newest first, filtered by status and repository, in pages.",
    scope="review",
    http_method="GET",
    http_path=ADMIN_PATH,
)
def list_requests(call: Call, sandbox: None, body: ListInput) -> ListOutput:
    found = merges.list_requests(
        call,
        repo_name=body.repo_name,
        status=body.status,
        before_id=body.cursor,
        limit=body.limit + 1,
    )
    page, next_cursor = id_page(found, body.limit)
    return ListOutput(merge_requests=[out(item) for item in page], next_cursor=next_cursor)


class IdInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int = Field(..., ge=1, description="The merge request's id.")


class ShowInput(IdInput):
    patch: bool = Field(False, description="Add the unified diff of what it brings to main.")


@tool(
    "merge.show",
    summary="Show one merge request",
    description="A pending request comes with its preview against main as it is now.",
    scope="review",
    http_method="GET",
    http_path=ADMIN_PATH + "/{id}",
)
def show(call: Call, sandbox: None, body: ShowInput) -> MergeRequestOut:
    return out(merges.show(call, body.id, patch=body.patch))


class ApproveInput(IdInput):
    strategy: merges.Strategy = Field(
        "squash",
        description=(
            "squash: one commit on main (title and description as its message; the sandbox's "
            ".logs/ and workspace files stay out) and the sandbox is archived. merge: "
            "fast-forward or a merge commit, the sandbox keeps working."
        ),
    )


@tool(
    "merge.approve",
    summary="Approve and merge into main",
    description=(
        "Lands the request on main as one commit (strategy 'squash', the default) or "
        "fast-forwards / writes a merge commit ('merge'); either names the approver. On "
        "conflict nothing is written, the request stays pending and the paths are listed (409). "
        "Where the repository requires another reviewer, whoever asked cannot approve (403)."
    ),
    scope="review",
    consequential=True,
    writes=True,
    idempotent=True,
    http_path=ADMIN_PATH + "/{id}/approve",
)
def approve(call: Call, sandbox: None, body: ApproveInput) -> MergeRequestOut:
    return out(merges.approve(call, body.id, body.strategy))


class RejectInput(IdInput):
    reason: str | None = Field(None, max_length=2000, description="Kept with the request.")


@tool(
    "merge.reject",
    summary="Reject a merge request",
    description="Closes a pending request without touching main; the sandbox stays as it is.",
    scope="review",
    writes=True,
    idempotent=True,
    http_path=ADMIN_PATH + "/{id}/reject",
)
def reject(call: Call, sandbox: None, body: RejectInput) -> MergeRequestOut:
    return out(merges.reject(call, body.id, body.reason))
