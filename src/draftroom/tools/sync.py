"""``sandbox.sync``: bring main into the sandbox, resolving conflicts in a second call."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from draftroom.domain.access import SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.merge import sync as syncing
from draftroom.errors import InvalidInput
from draftroom.tools.declaration import tool
from draftroom.tools.inputs import ANSWER_BUDGET, Encoding, SandboxInput, decode_content

MAX_RESOLUTIONS = 500
_ERROR_ROOM = 4_000
"""Bytes of a conflict answer kept for everything but the conflicts' contents."""


class Resolution(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(..., min_length=1, max_length=4096, description="A conflicting path.")
    content: str = Field(..., description="The file's whole content as it should be merged.")
    encoding: Encoding = Field("utf-8", description="'base64' for binary content.")


class SyncInput(SandboxInput):
    resolutions: list[Resolution] = Field(
        default_factory=list,
        max_length=MAX_RESOLUTIONS,
        description=(
            "After a 409 merge_conflict: one {path, content} per conflicting path listed in "
            "error.details.conflicts (ours: your branch, theirs: main)."
        ),
    )


class SyncOutput(BaseModel):
    commit_sha: str
    branch: str = Field(description="The branch that changed: tell the user.")
    main: str = Field(description="The commit of main now in the branch.")
    fast_forward: bool = Field(
        description="The branch had no commits of its own: its files are now main's."
    )
    files: list[str] = Field(description="Files main brought, and the resolved ones.")
    resolved: list[str] = Field(description="Paths written from your resolutions.")
    changelog_entry: dict[str, Any]


def _resolutions(body: SyncInput) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for item in body.resolutions:
        if item.path in found:
            raise InvalidInput(f"two resolutions for {item.path!r}; send one per path")
        found[item.path] = decode_content(item.content, item.encoding, item.path)
    return found


@tool(
    "sandbox.sync",
    summary="Bring main's changes into the sandbox",
    description=(
        "Merges main into your branch as one commit (undo it with sandbox.undo). On a "
        "conflict nothing is written: 409 merge_conflict lists error.details.conflicts "
        "[{path, base, ours, theirs}]; call again with resolutions [{path, content}] for every "
        "one. After a sync, a merge request has no conflicts."
    ),
    writes=True,
)
def sync(call: Call, sandbox: SandboxAccess, body: SyncInput) -> SyncOutput:
    done = syncing.sync(call, sandbox, _resolutions(body), ANSWER_BUDGET - _ERROR_ROOM)
    return SyncOutput(
        commit_sha=done.logged.sha,
        branch=done.logged.branch,
        main=done.main,
        fast_forward=done.fast_forward,
        files=done.logged.files,
        resolved=done.resolved,
        changelog_entry=done.logged.changelog_entry,
    )
