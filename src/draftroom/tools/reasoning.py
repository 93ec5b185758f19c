"""Reasoning tools: a trace of thoughts, decisions and questions in ``reasoning_trace.md``."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from draftroom.domain.access import SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.workspace import Kind, log_reasoning, read_reasoning, reasoning_entries
from draftroom.errors import InvalidInput
from draftroom.tools.declaration import tool
from draftroom.tools.inputs import SandboxInput, fit_page
from draftroom.tools.receipts import Written, receipts
from draftroom.tools.versions import REPLACED_BY_V2


class ReasoningLogInput(SandboxInput):
    entry: str = Field(
        ..., min_length=1, max_length=20_000, description="The thought, decision or question."
    )
    kind: Kind = Field("thought", description="thought, decision or question.")


class ReasoningLogOutput(BaseModel):
    id: str
    commit_sha: str = Field(description="Undo with git.rollback_commit.")
    branch: str


@tool(
    "reasoning.log",
    summary="Record a thought, decision or question",
    description="Appends it to reasoning_trace.md on your branch (one commit), so later sessions know why.",
    writes=True,
    deprecated=REPLACED_BY_V2,
)
def log(call: Call, sandbox: SandboxAccess, body: ReasoningLogInput) -> ReasoningLogOutput:
    if not body.entry.strip():
        raise InvalidInput("entry must not be blank")
    logged, entry = log_reasoning(call, sandbox, body.entry, body.kind)
    return ReasoningLogOutput(id=entry.id, commit_sha=logged.sha, branch=logged.branch)


class ReasoningLogInputV2(SandboxInput):
    text: str = Field(
        ..., min_length=1, max_length=20_000, description="The thought, decision or question."
    )
    kind: Kind = Field("thought", description="thought, decision or question.")


class ReasoningLogWritten(Written):
    id: str


@tool(
    "reasoning.log",
    api_version=2,
    summary="Record a thought, decision or question",
    description=(
        "Appends `text` to reasoning_trace.md on your branch (one commit), so later sessions "
        "know why; receipts say what landed."
    ),
    writes=True,
)
def log_v2(call: Call, sandbox: SandboxAccess, body: ReasoningLogInputV2) -> ReasoningLogWritten:
    if not body.text.strip():
        raise InvalidInput("text must not be blank")
    logged, entry = log_reasoning(call, sandbox, body.text, body.kind)
    written = receipts(sandbox, logged.sha)
    return ReasoningLogWritten(
        id=entry.id, commit_sha=logged.sha, branch=logged.branch, receipts=written
    )


class ReasoningReadInput(SandboxInput):
    cursor: str | None = Field(
        None, max_length=200, description="next_cursor from the previous page."
    )
    limit: int = Field(20, ge=1, le=100)


class ReasoningOut(BaseModel):
    id: str
    at: datetime | None
    kind: Kind
    text: str


class ReasoningReadOutput(BaseModel):
    items: list[ReasoningOut] = Field(description="Newest first.")
    next_cursor: str | None
    total: int


@tool(
    "reasoning.read",
    summary="Read the reasoning trace",
    description="Newest first, in pages (pass next_cursor).",
)
def read(call: Call, sandbox: SandboxAccess, body: ReasoningReadInput) -> ReasoningReadOutput:
    entries = reasoning_entries(sandbox.repo, sandbox.head())

    def fetch(limit: int) -> ReasoningReadOutput:
        page = read_reasoning(entries, body.cursor, limit)
        items = [ReasoningOut(id=e.id, at=e.at, kind=e.kind, text=e.text) for e in page.items]
        return ReasoningReadOutput(items=items, next_cursor=page.next_cursor, total=page.total)

    return fit_page(fetch, body.limit)
