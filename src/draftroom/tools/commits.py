"""Commit tools: an atomic multi-file commit, and rolling one back.

The input models check everything about the body once: path syntax and ``.logs/``
(``NewPath``/``writable_path``), content or delete, each path once, and the decoding of ``content``. The
file-count cap is ``max_files_per_commit``, checked with the other limits below the tools.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from draftroom.domain.access import SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.commits import (
    LoggedCommit,
    commit_and_log,
    rollback_commit,
)
from draftroom.errors import InvalidInput
from draftroom.git import Change
from draftroom.tools.declaration import tool
from draftroom.tools.inputs import PATH_SEGMENTS, Encoding, SandboxInput, decode_content
from draftroom.tools.paths import writable_path
from draftroom.tools.receipts import Written, receipts
from draftroom.tools.versions import REPLACED_BY_V2


class CommitOutput(BaseModel):
    commit_sha: str
    branch: str = Field(description="The branch that changed: tell the user.")
    files: list[str]
    changelog_entry: dict[str, Any]


class CommitWritten(Written):
    paths: list[str] = Field(description="The paths you changed (receipts add .logs/).")
    changelog_entry: dict[str, Any]


def committed(logged: LoggedCommit) -> CommitOutput:
    return CommitOutput(
        commit_sha=logged.sha,
        branch=logged.branch,
        files=logged.files,
        changelog_entry=logged.changelog_entry,
    )


class FileChange(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={  # content, or delete: true (then no content), never both
            "if": {"required": ["delete"], "properties": {"delete": {"const": True}}},
            "then": {"properties": {"content": {"type": "null"}}},
            "else": {"required": ["content"]},
        },
    )

    path: str = Field(
        ...,
        min_length=1,
        max_length=4096,
        json_schema_extra=PATH_SEGMENTS,
        description="File path, e.g. 'src/app.py'.",
    )
    content: str | None = Field(None, description="New whole content; omit with delete.")
    encoding: Encoding = "utf-8"
    delete: bool = False
    _change: Change = PrivateAttr()

    @model_validator(mode="after")
    def _content_or_delete(self) -> FileChange:
        if self.delete == (self.content is not None):
            raise ValueError("give either content or delete: true, not both or neither")
        writable_path(self.path, delete=self.delete)
        if self.content is None:
            self._change = Change(self.path, delete=True, path_checked=True)
        else:
            data = decode_content(self.content, self.encoding, self.path)
            self._change = Change(self.path, data, path_checked=True)
        return self

    @property
    def change(self) -> Change:
        """The engine's change for this item, its path already checked."""
        return self._change


class CommitInput(SandboxInput):
    message: str = Field(..., min_length=1, max_length=2000, description="Commit message: why.")
    changes: list[FileChange] = Field(
        ..., min_length=1, description="At most DRAFTROOM_MAX_FILES_PER_COMMIT (default 1000)."
    )
    expected_head: str | None = Field(
        None,
        max_length=250,
        description="Fail with 409 if your branch moved and a newer commit touched these paths.",
    )
    allow_secrets: bool = Field(
        False, description="Commit even if it looks like a secret (audited); only if it is not one."
    )

    @model_validator(mode="after")
    def _each_path_once(self) -> CommitInput:
        if len({item.path for item in self.changes}) != len(self.changes):
            raise InvalidInput("each path may appear once per commit")
        return self


@tool(
    "git.commit",
    summary="Commit several file changes at once",
    description=(
        "Adds, replaces and deletes files in one atomic, audited commit on your branch, with a "
        "changelog entry under .logs/. Undo with git.rollback_commit."
    ),
    writes=True,
    deprecated=REPLACED_BY_V2,
)
def commit(call: Call, sandbox: SandboxAccess, body: CommitInput) -> CommitOutput:
    return committed(
        commit_and_log(
            call,
            sandbox,
            [item.change for item in body.changes],
            body.message,
            body.expected_head,
            allow_secrets=body.allow_secrets,
        )
    )


def with_receipts(sandbox: SandboxAccess, out: CommitOutput) -> CommitWritten:
    """A v1 commit answer as v2 tells it: ``paths``, and receipts from the stored commit."""
    return CommitWritten(
        commit_sha=out.commit_sha,
        branch=out.branch,
        paths=out.files,
        receipts=receipts(sandbox, out.commit_sha),
        changelog_entry=out.changelog_entry,
    )


@tool(
    "git.commit",
    api_version=2,
    summary="Commit several file changes at once",
    description=(
        "Adds, replaces and deletes files in one atomic, audited commit on your branch, with a "
        "changelog entry under .logs/. Receipts give each path's stored blob_id and size (or "
        "deleted): check them. Undo with git.rollback_commit."
    ),
    writes=True,
)
def commit_v2(call: Call, sandbox: SandboxAccess, body: CommitInput) -> CommitWritten:
    return with_receipts(sandbox, commit(call, sandbox, body))


class RollbackInput(SandboxInput):
    commit_sha: str = Field(..., min_length=7, max_length=40, description="The commit to undo.")
    reason: str | None = Field(
        None, max_length=2000, description="Why; kept in .logs/reverted_commits.yaml."
    )


class RollbackOutput(BaseModel):
    revert_sha: str
    reverted_sha: str
    branch: str


@tool(
    "git.rollback_commit",
    summary="Undo one commit",
    description=(
        "Adds a new commit that reverses the given commit of your branch and records it in "
        ".logs/reverted_commits.yaml. History is kept; a rollback can itself be rolled back."
    ),
    writes=True,
    deprecated=REPLACED_BY_V2,
)
def rollback(call: Call, sandbox: SandboxAccess, body: RollbackInput) -> RollbackOutput:
    logged = rollback_commit(call, sandbox, sandbox.readable_ref(body.commit_sha), body.reason)
    reverted = sandbox.repo.resolve(body.commit_sha)
    return RollbackOutput(revert_sha=logged.sha, reverted_sha=reverted, branch=logged.branch)


class RollbackWritten(Written):
    reverted_sha: str = Field(description="The commit undone.")


@tool(
    "git.rollback_commit",
    api_version=2,
    summary="Undo one commit",
    description=(
        "Adds a new commit (commit_sha) that reverses the given commit of your branch and "
        "records it in .logs/reverted_commits.yaml; receipts say what it changed. History is kept."
    ),
    writes=True,
)
def rollback_v2(call: Call, sandbox: SandboxAccess, body: RollbackInput) -> RollbackWritten:
    out = rollback(call, sandbox, body)
    return RollbackWritten(
        commit_sha=out.revert_sha,
        branch=out.branch,
        reverted_sha=out.reverted_sha,
        receipts=receipts(sandbox, out.revert_sha),
    )
