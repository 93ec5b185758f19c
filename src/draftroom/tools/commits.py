"""Commit tools: an atomic multi-file commit, and rolling one back."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from draftroom.domain.calls import Call
from draftroom.domain.commits import (
    LoggedCommit,
    commit_and_log,
    guard_writable,
    rollback_commit,
)
from draftroom.errors import InvalidInput
from draftroom.git import Change
from draftroom.tools.inputs import Encoding, SandboxInput, decode_content, open_sandbox_for
from draftroom.tools.registry import registry


class CommitOutput(BaseModel):
    commit_sha: str
    branch: str = Field(description="The branch that changed: tell the user.")
    files: list[str]
    changelog_entry: dict[str, Any]


def committed(logged: LoggedCommit) -> CommitOutput:
    return CommitOutput(
        commit_sha=logged.sha,
        branch=logged.branch,
        files=logged.files,
        changelog_entry=logged.changelog_entry,
    )


class FileChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(..., min_length=1, max_length=4096)
    content: str | None = Field(None, description="New whole content; omit with delete.")
    encoding: Encoding = "utf-8"
    delete: bool = False

    @model_validator(mode="after")
    def _content_or_delete(self) -> FileChange:
        if self.delete == (self.content is not None):
            raise ValueError("give either content or delete: true, not both or neither")
        return self


class CommitInput(SandboxInput):
    message: str = Field(..., min_length=1, max_length=2000, description="Commit message: why.")
    changes: list[FileChange] = Field(..., min_length=1, max_length=1000)
    expected_head: str | None = Field(
        None,
        description="Fail with 409 if your branch moved and a newer commit touched these paths.",
    )
    allow_secrets: bool = Field(
        False, description="Commit even if it looks like a secret (audited); only if it is not one."
    )


@registry.tool(
    "git.commit",
    summary="Commit several file changes at once",
    description=(
        "Adds, replaces and deletes files in one atomic, audited commit on your branch, with a "
        "changelog entry under .logs/. Undo with git.rollback_commit."
    ),
    writes=True,
)
def commit(call: Call, body: CommitInput) -> CommitOutput:
    changes = []
    for item in body.changes:
        path = guard_writable(item.path)
        if item.delete:
            changes.append(Change(path, delete=True))
        else:
            assert item.content is not None
            changes.append(Change(path, decode_content(item.content, item.encoding, path)))
    if len({c.path for c in changes}) != len(changes):
        raise InvalidInput("each path may appear once per commit")
    access = open_sandbox_for(call, body)
    return committed(
        commit_and_log(
            call,
            access,
            changes,
            body.message,
            body.expected_head,
            allow_secrets=body.allow_secrets,
        )
    )


class RollbackInput(SandboxInput):
    commit_sha: str = Field(..., min_length=7, max_length=40, description="The commit to undo.")
    reason: str | None = Field(
        None, max_length=2000, description="Why; kept in .logs/reverted_commits.yaml."
    )


class RollbackOutput(BaseModel):
    revert_sha: str
    reverted_sha: str
    branch: str


@registry.tool(
    "git.rollback_commit",
    summary="Undo one commit",
    description=(
        "Adds a new commit that reverses the given commit of your branch and records it in "
        ".logs/reverted_commits.yaml. History is kept; a rollback can itself be rolled back."
    ),
    writes=True,
)
def rollback(call: Call, body: RollbackInput) -> RollbackOutput:
    access = open_sandbox_for(call, body)
    logged = rollback_commit(call, access, access.readable_ref(body.commit_sha), body.reason)
    reverted = access.repo.resolve(body.commit_sha)
    return RollbackOutput(revert_sha=logged.sha, reverted_sha=reverted, branch=logged.branch)
