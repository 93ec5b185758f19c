"""History tools: the branch's commits, and what changed between two refs."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from draftroom.domain.access import BASE_BRANCH, SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.commits import LOGS_DIR, REVERTS_TRAILER, read_rollbacks, revert_links
from draftroom.tools.declaration import tool
from draftroom.tools.inputs import ANSWER_BUDGET, SandboxInput, fit_page

FILES_PER_COMMIT = 20


class HistoryInput(SandboxInput):
    path: str | None = Field(None, max_length=4096, description="Only commits touching this path.")
    cursor: str | None = Field(
        None, min_length=1, max_length=4096, description="next_cursor from the previous page."
    )
    limit: int = Field(20, ge=1, le=100)


class CommitSummary(BaseModel):
    sha: str
    message: str
    time: datetime
    tool: str | None = Field(description="The draftroom tool that made it; null for other commits.")
    files: list[str] = Field(description=f"Changed files (first {FILES_PER_COMMIT}).")
    files_total: int
    reverts: str | None = Field(None, description="The commit this rollback undid.")
    reverted_by: str | None = Field(None, description="The rollback that undid this commit.")


class HistoryOutput(BaseModel):
    commits: list[CommitSummary]
    next_cursor: str | None


@tool(
    "git.history",
    summary="List commits of the branch",
    description="Newest first, in pages (pass next_cursor). Each commit with its message, time, tool and files.",
)
def history(call: Call, sandbox: SandboxAccess, body: HistoryInput) -> HistoryOutput:
    path = body.path or None
    head = sandbox.head()

    def fetch(limit: int) -> HistoryOutput:
        page = sandbox.repo.log(head, path=path, cursor=body.cursor, limit=limit)
        reverted = {r.get("reverted_sha") for r in read_rollbacks(sandbox.repo, head)}
        links = revert_links(sandbox.repo, head, {c.sha for c in page.commits} & reverted)
        commits = [
            CommitSummary(
                sha=c.sha,
                message=c.message[:2000],
                time=c.time,
                tool=c.trailers.get("Draftroom-Tool"),
                files=c.files[:FILES_PER_COMMIT],
                files_total=len(c.files),
                reverts=c.trailers.get(REVERTS_TRAILER),
                reverted_by=links.get(c.sha),
            )
            for c in page.commits
        ]
        return HistoryOutput(commits=commits, next_cursor=page.next_cursor)

    return fit_page(fetch, body.limit)


class DiffInput(SandboxInput):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: str = Field(
        BASE_BRANCH, alias="from", description="Base: 'main' or a commit of your branch."
    )
    to: str | None = Field(None, description="Target: default your branch's head.")
    include_logs: bool = Field(False, description="Also show draftroom's own .logs/ files.")


class DiffFileOut(BaseModel):
    path: str
    status: Literal["added", "modified", "deleted", "renamed"]
    old_path: str | None = None
    additions: int
    deletions: int
    binary: bool
    patch: str


class DiffOutput(BaseModel):
    files: list[DiffFileOut]
    truncated: bool = Field(description="True when patches or files were left out to fit.")


@tool(
    "git.diff",
    summary="Show changes between two refs",
    description="Per file: status, additions, deletions and a unified patch (capped; binary files flagged).",
)
def diff(call: Call, sandbox: SandboxAccess, body: DiffInput) -> DiffOutput:
    result = sandbox.repo.diff(
        sandbox.readable_ref(body.from_),
        sandbox.readable_ref(body.to),
        max_patch_bytes=call.services.settings.max_patch_bytes,
        exclude=() if body.include_logs else (LOGS_DIR,),
    )
    files = [
        DiffFileOut(
            path=f.path,
            status=f.status,
            old_path=f.old_path,
            additions=f.additions,
            deletions=f.deletions,
            binary=f.binary,
            patch=f.patch,
        )
        for f in result.files
    ]
    out = DiffOutput(files=files, truncated=result.truncated)
    while len(out.model_dump_json()) > ANSWER_BUDGET:
        out = DiffOutput(files=out.files[: len(out.files) * 3 // 4], truncated=True)
    return out
