"""Admin sandbox tools: list sandboxes, archive one, restore an archived one."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from draftroom.domain.calls import Call
from draftroom.domain.merge import lifecycle
from draftroom.store import MergeRequestStatus, SandboxStatus
from draftroom.tools.declaration import tool
from draftroom.tools.inputs import id_page

ADMIN_PATH = "/admin/sandboxes"


class MergeRequestBrief(BaseModel):
    id: int
    status: MergeRequestStatus
    title: str
    merge_sha: str | None


class SandboxOut(BaseModel):
    id: int
    repo_name: str
    branch: str
    status: SandboxStatus = Field(description="As recorded: active, merged or archived.")
    state: lifecycle.State = Field(description="merged only while main still has its head.")
    created_at: datetime
    project_name: str | None
    head: str | None = Field(description="Its head commit (archived ones too); null if gone.")
    merge_request: MergeRequestBrief | None = Field(description="Its latest merge request.")
    last_used_at: datetime | None = Field(
        None, description="When one of its reuse tokens was last used (to the minute); null: never."
    )
    person: str | None = Field(
        None, description="Email of the person it was started for; null: a service key's."
    )


def out(found: lifecycle.SandboxView) -> SandboxOut:
    data = asdict(found)
    request = found.merge_request
    data["merge_request"] = (
        MergeRequestBrief(
            id=request.id, status=request.status, title=request.title, merge_sha=request.merge_sha
        )
        if request
        else None
    )
    return SandboxOut.model_validate(data)


class ListInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    repo_name: str | None = Field(None, max_length=200)
    status: SandboxStatus | None = None
    person: str | None = Field(
        None, max_length=320, description="Only those started for this person (an email)."
    )
    cursor: int | None = Field(None, ge=1, description="next_cursor of the previous page.")
    limit: int = Field(50, ge=1, le=200)


class ListOutput(BaseModel):
    sandboxes: list[SandboxOut]
    next_cursor: int | None


@tool(
    "sandbox.list",
    summary="List sandboxes",
    description=(
        "The org's sandboxes (reviewers and owners see every person's), newest first, "
        "filtered by repository, status and person, in pages. Signed in: your own."
    ),
    scope="review",
    person_scope="sandbox",
    http_method="GET",
    http_path=ADMIN_PATH,
)
def list_sandboxes(call: Call, sandbox: None, body: ListInput) -> ListOutput:
    found = lifecycle.list_sandboxes(
        call,
        repo_name=body.repo_name,
        status=body.status,
        before_id=body.cursor,
        limit=body.limit + 1,
        person=body.person,
    )
    page, next_cursor = id_page(found, body.limit)
    return ListOutput(sandboxes=[out(item) for item in page], next_cursor=next_cursor)


class IdInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int = Field(..., ge=1, le=2_147_483_647, description="The sandbox's id (see sandbox.list).")


@tool(
    "sandbox.archive",
    summary="Archive a sandbox",
    description=(
        "Moves its branch under refs/draftroom/archive/ and refuses its reuse tokens until it "
        "is restored. Nothing is deleted. Signed in: your own sandboxes."
    ),
    scope="admin",
    person_scope="sandbox",
    writes=True,
    idempotent=True,
    http_path=ADMIN_PATH + "/{id}/archive",
)
def archive(call: Call, sandbox: None, body: IdInput) -> SandboxOut:
    return out(lifecycle.archive(call, body.id))


@tool(
    "sandbox.restore",
    summary="Restore an archived sandbox",
    description="Brings its branch back; its reuse tokens work again. Signed in: your own.",
    scope="admin",
    person_scope="sandbox",
    writes=True,
    idempotent=True,
    http_path=ADMIN_PATH + "/{id}/restore",
)
def restore(call: Call, sandbox: None, body: IdInput) -> SandboxOut:
    return out(lifecycle.unarchive(call, body.id))
