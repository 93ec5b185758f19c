"""Memory tools: notes the project keeps across conversations, in ``memory.yaml`` on the branch."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field

from draftroom.domain.access import SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.workspace import (
    MemoryEntry,
    add_memory,
    delete_memory,
    memory_entries,
    memory_index,
    memory_stats,
    query_memory,
)
from draftroom.tools.declaration import tool
from draftroom.tools.inputs import SandboxInput, fit_page
from draftroom.tools.receipts import Receipt, Written, receipts
from draftroom.tools.versions import REPLACED_BY_V2

KIND_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,31}$"


class MemoryAddInput(SandboxInput):
    text: str = Field(..., min_length=1, max_length=10_000, description="What to remember.")
    tags: list[str] = Field(
        default_factory=list, max_length=20, description="Short labels to find it by, e.g. ['api']."
    )
    kind: str | None = Field(
        None,
        pattern=KIND_PATTERN,
        description="note (default), fact, decision, preference, goal, project, …",
    )


class MemoryOut(BaseModel):
    id: str
    text: str
    kind: str
    tags: list[str]
    at: datetime | None


def memory_out(entry: MemoryEntry) -> MemoryOut:
    return MemoryOut(
        id=entry.id, text=entry.text, kind=entry.kind, tags=list(entry.tags), at=entry.at
    )


class MemoryAddOutput(BaseModel):
    id: str
    commit_sha: str = Field(description="Undo with git.rollback_commit.")
    branch: str


@tool(
    "memory.add",
    summary="Remember something for later conversations",
    description=(
        "Appends an entry to memory.yaml on your branch (one commit). Use it for facts, "
        "decisions and preferences the project should keep. Returns its id."
    ),
    writes=True,
    deprecated=REPLACED_BY_V2,
)
def add(call: Call, sandbox: SandboxAccess, body: MemoryAddInput) -> MemoryAddOutput:
    tags = [t[:40] for t in body.tags]
    logged, entry = add_memory(call, sandbox, body.text, tags, body.kind)
    return MemoryAddOutput(id=entry.id, commit_sha=logged.sha, branch=logged.branch)


class MemoryAddWritten(Written):
    id: str


@tool(
    "memory.add",
    api_version=2,
    summary="Remember something for later conversations",
    description=(
        "Appends an entry to memory.yaml on your branch (one commit). Use it for facts, "
        "decisions and preferences the project should keep. Returns its id and receipts."
    ),
    writes=True,
)
def add_v2(call: Call, sandbox: SandboxAccess, body: MemoryAddInput) -> MemoryAddWritten:
    tags = [t[:40] for t in body.tags]
    logged, entry = add_memory(call, sandbox, body.text, tags, body.kind)
    written = receipts(sandbox, logged.sha)
    return MemoryAddWritten(
        id=entry.id, commit_sha=logged.sha, branch=logged.branch, receipts=written
    )


class MemoryQueryInput(SandboxInput):
    q: str | None = Field(
        None, max_length=500, description="Words that must all occur (any case) in text or tags."
    )
    tags: list[str] = Field(
        default_factory=list, max_length=20, description="Entries with all these tags."
    )
    since: datetime | None = Field(None, description="Only entries at or after this UTC time.")
    cursor: str | None = Field(
        None, min_length=1, max_length=200, description="next_cursor from the previous page."
    )
    limit: int = Field(20, ge=1, le=100)


class MemoryQueryOutput(BaseModel):
    items: list[MemoryOut] = Field(description="Newest first.")
    next_cursor: str | None
    total: int = Field(description="Entries matching the query, over all pages.")


@tool(
    "memory.query",
    summary="Search the project's memory",
    description=(
        "Newest first, in pages (pass next_cursor). Filter by words (all must match, any "
        "case), tags and since. Without filters it lists the latest entries."
    ),
)
def query(call: Call, sandbox: SandboxAccess, body: MemoryQueryInput) -> MemoryQueryOutput:
    index = memory_index(sandbox.repo, sandbox.head())
    since = body.since
    if since is not None:
        since = since.replace(tzinfo=UTC) if since.tzinfo is None else since.astimezone(UTC)

    def fetch(limit: int) -> MemoryQueryOutput:
        page = query_memory(
            index, q=body.q, tags=body.tags, since=since, cursor=body.cursor, limit=limit
        )
        return MemoryQueryOutput(
            items=[memory_out(e) for e in page.items],
            next_cursor=page.next_cursor,
            total=page.total,
        )

    return fit_page(fetch, body.limit)


class MemoryStatsOutput(BaseModel):
    total: int
    by_kind: dict[str, int]
    by_tag: dict[str, int] = Field(description="The 100 most used tags.")
    first_at: datetime | None
    last_at: datetime | None


@tool(
    "memory.stats",
    summary="How much the project remembers",
    description="Entry counts by kind and by tag, and the times of the first and last entries.",
)
def stats(call: Call, sandbox: SandboxAccess, body: SandboxInput) -> MemoryStatsOutput:
    result = memory_stats(memory_entries(sandbox.repo, sandbox.head()))
    return MemoryStatsOutput(
        total=result.total,
        by_kind=result.by_kind,
        by_tag=result.by_tag,
        first_at=result.first_at,
        last_at=result.last_at,
    )


class MemoryDeleteInput(SandboxInput):
    id: str = Field(
        ..., min_length=1, max_length=64, description="The entry's id, e.g. 'm-1a2b3c4d'."
    )


class MemoryDeleteOutput(BaseModel):
    id: str
    commit_sha: str = Field(description="Undo with git.rollback_commit.")
    branch: str


@tool(
    "memory.delete",
    summary="Forget one memory entry",
    description="Removes the entry's lines from memory.yaml (one commit; the rest is kept as written).",
    writes=True,
    idempotent=True,
    deprecated=REPLACED_BY_V2,
)
def delete(call: Call, sandbox: SandboxAccess, body: MemoryDeleteInput) -> MemoryDeleteOutput:
    logged = delete_memory(call, sandbox, body.id)
    return MemoryDeleteOutput(id=body.id, commit_sha=logged.sha, branch=logged.branch)


class MemoryDeleteWritten(MemoryDeleteOutput):
    receipts: list[Receipt] = Field(description="What the commit changed, read back from it.")


@tool(
    "memory.delete",
    api_version=2,
    summary="Forget one memory entry",
    description=(
        "Removes the entry's lines from memory.yaml (one commit; the rest is kept as written); "
        "receipts say what landed."
    ),
    writes=True,
    idempotent=True,
)
def delete_v2(call: Call, sandbox: SandboxAccess, body: MemoryDeleteInput) -> MemoryDeleteWritten:
    out = delete(call, sandbox, body)
    return MemoryDeleteWritten(**dict(out), receipts=receipts(sandbox, out.commit_sha))
