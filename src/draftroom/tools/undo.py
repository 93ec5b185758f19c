"""Undo tools: restore the branch's files to a commit, undo the last operations, list them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from draftroom.domain.access import SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.commits import restore as restoring
from draftroom.errors import InvalidInput
from draftroom.tools.declaration import tool
from draftroom.tools.inputs import SandboxInput, fit_page
from draftroom.tools.receipts import Written, receipts
from draftroom.tools.versions import REPLACED_BY_V2

FILES_PER_OPERATION = 20


class RestoreInput(SandboxInput):
    to: str = Field(
        ...,
        min_length=1,
        max_length=250,
        description="'main' or a commit sha of your branch, e.g. from git.history.",
    )


class RestoreOutput(BaseModel):
    commit_sha: str
    branch: str = Field(description="The branch that changed: tell the user.")
    restored_to: str = Field(description="The commit whose files the branch now has.")
    files: list[str] = Field(description="Files the restore changed.")
    changelog_entry: dict[str, Any]


@tool(
    "git.restore",
    summary="Restore the branch's files to a commit or to main",
    description=(
        "Adds one commit whose files equal those of 'main' or of an earlier commit of your "
        "branch (.logs/ is kept). History stays; undo it with sandbox.undo."
    ),
    writes=True,
    deprecated=REPLACED_BY_V2,
)
def restore(call: Call, sandbox: SandboxAccess, body: RestoreInput) -> RestoreOutput:
    logged, target = restoring.restore(call, sandbox, body.to)
    return RestoreOutput(
        commit_sha=logged.sha,
        branch=logged.branch,
        restored_to=target,
        files=logged.files,
        changelog_entry=logged.changelog_entry,
    )


class UndoInput(SandboxInput):
    steps: int = Field(
        1, ge=1, le=restoring.MAX_UNDO_STEPS, description="How many operations to undo."
    )


class UndoOutput(BaseModel):
    commit_sha: str
    branch: str = Field(description="The branch that changed: tell the user.")
    undone: list[str] = Field(description="The operations undone, newest first.")
    restored_to: str = Field(description="The commit whose files the branch now has.")
    files: list[str]
    changelog_entry: dict[str, Any]


@tool(
    "sandbox.undo",
    summary="Undo the last operations",
    description=(
        "Undoes your last `steps` changes (writes, commits, rollbacks, restores, undos) in one "
        "new commit. Undoing an undo re-applies. See sandbox.operations."
    ),
    writes=True,
    deprecated=REPLACED_BY_V2,
)
def undo(call: Call, sandbox: SandboxAccess, body: UndoInput) -> UndoOutput:
    done = restoring.undo(call, sandbox, body.steps)
    return UndoOutput(
        commit_sha=done.logged.sha,
        branch=done.logged.branch,
        undone=done.operations,
        restored_to=done.restored_to,
        files=done.logged.files,
        changelog_entry=done.logged.changelog_entry,
    )


class RestoreWritten(Written):
    restored_to_sha: str = Field(description="The commit whose files the branch now has.")
    paths: list[str] = Field(description="Files the restore changed.")
    changelog_entry: dict[str, Any]


@tool(
    "git.restore",
    api_version=2,
    summary="Restore the branch's files to a commit or to main",
    description=(
        "Adds one commit whose files equal those of 'main' or of an earlier commit of your "
        "branch (.logs/ is kept); receipts say what landed. Undo it with sandbox.undo."
    ),
    writes=True,
)
def restore_v2(call: Call, sandbox: SandboxAccess, body: RestoreInput) -> RestoreWritten:
    out = restore(call, sandbox, body)
    return RestoreWritten(
        commit_sha=out.commit_sha,
        branch=out.branch,
        restored_to_sha=out.restored_to,
        paths=out.files,
        receipts=receipts(sandbox, out.commit_sha),
        changelog_entry=out.changelog_entry,
    )


class UndoWritten(Written):
    undone: list[str] = Field(description="The operations undone, newest first.")
    restored_to_sha: str = Field(description="The commit whose files the branch now has.")
    paths: list[str]
    changelog_entry: dict[str, Any]


@tool(
    "sandbox.undo",
    api_version=2,
    summary="Undo the last operations",
    description=(
        "Undoes your last `steps` changes (writes, commits, rollbacks, restores, undos) in one "
        "new commit; receipts say what landed. Undoing an undo re-applies."
    ),
    writes=True,
)
def undo_v2(call: Call, sandbox: SandboxAccess, body: UndoInput) -> UndoWritten:
    out = undo(call, sandbox, body)
    return UndoWritten(
        commit_sha=out.commit_sha,
        branch=out.branch,
        undone=out.undone,
        restored_to_sha=out.restored_to,
        paths=out.files,
        receipts=receipts(sandbox, out.commit_sha),
        changelog_entry=out.changelog_entry,
    )


class OperationsInput(SandboxInput):
    cursor: str | None = Field(None, max_length=40, description="next_cursor of the last page.")
    limit: int = Field(20, ge=1, le=100)


class OperationOut(BaseModel):
    sha: str
    tool: str
    message: str
    time: datetime
    request_id: str | None
    files: list[str] = Field(
        description=f"Changed files outside .logs/ (first {FILES_PER_OPERATION})."
    )
    files_total: int
    undone_by: str | None = Field(
        description="The rollback, restore or undo that took this back; null if it stands."
    )


class OperationsOutput(BaseModel):
    operations: list[OperationOut]
    next_cursor: str | None


@tool(
    "sandbox.operations",
    summary="List the changes made to the sandbox",
    description=(
        "Newest first, in pages: each tool call that changed the branch, its files, and which "
        "later rollback, restore or undo took it back (undone_by)."
    ),
)
def operations(call: Call, sandbox: SandboxAccess, body: OperationsInput) -> OperationsOutput:
    head = sandbox.head()

    def fetch(limit: int) -> OperationsOutput:
        page: list[OperationOut] = []
        started = body.cursor is None
        for op in restoring.operations(sandbox, head):
            if not started:
                started = op.sha == body.cursor
                continue
            if len(page) == limit:
                return OperationsOutput(operations=page, next_cursor=page[-1].sha)
            page.append(
                OperationOut(
                    sha=op.sha,
                    tool=op.tool,
                    message=op.message[:500],
                    time=op.time,
                    request_id=op.request_id,
                    files=op.files[:FILES_PER_OPERATION],
                    files_total=len(op.files),
                    undone_by=op.undone_by,
                )
            )
        if not started:
            raise InvalidInput(
                f"cursor {body.cursor!r} is not an operation of this branch; start without one"
            )
        return OperationsOutput(operations=page, next_cursor=None)

    return fit_page(fetch, body.limit)
