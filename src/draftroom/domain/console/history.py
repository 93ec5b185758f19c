"""A sandbox's story for its console page, read from git: its commits since ``main`` with
rollbacks, undos and restores marked, its operations, its rollback records in plain words,
and its diff against ``main`` split into lines to highlight.

Reads only; the marks come from the commit trailers the tools write (``Reverts``,
``Draftroom-Restores``, ``Draftroom-Tool``) and from ``.logs/reverted_commits.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from draftroom.domain.access import BASE_BRANCH, SandboxAccess
from draftroom.domain.commits import (
    LOGS_DIR,
    RESTORES_TRAILER,
    REVERTS_TRAILER,
    TOOL_TRAILER,
    operations,
    own_rollbacks,
)
from draftroom.domain.console.diff import FileDiff, file_diff
from draftroom.errors import NotFound
from draftroom.git import Identity, LogEntry, Repository

HISTORY_LIMIT = 100
OPERATIONS_LIMIT = 50
ROLLBACKS_LIMIT = 20
DIFF_FILES_LIMIT = 100
Mark = Literal["rollback", "undo", "restore"]


@dataclass(frozen=True)
class HistoryCommit:
    sha: str
    summary: str
    time: datetime
    author: Identity
    tool: str | None
    files: list[str]
    mark: Mark | None
    """What the commit did to earlier ones: rolled one back, undid operations, restored."""
    target: str | None
    """The commit it rolled back (``Reverts``) or whose files it brought back."""
    undone_by: str | None
    """The later rollback, undo or restore that took this commit back."""


@dataclass(frozen=True)
class History:
    commits: list[HistoryCommit]
    more: bool
    """More commits since ``main`` than shown."""


@dataclass(frozen=True)
class OperationLine:
    sha: str
    tool: str
    summary: str
    time: datetime
    files: list[str]
    undone_by: str | None


@dataclass(frozen=True)
class RollbackWords:
    """One record of ``.logs/reverted_commits.yaml``, with who did it and what it undid."""

    reverted_sha: str
    reverted_summary: str | None
    by: Identity | None
    at: datetime | None
    reason: str
    files: list[str]


@dataclass(frozen=True)
class Changes:
    files: list[FileDiff]
    truncated: bool


def operation_lines(access: SandboxAccess, head: str) -> list[OperationLine]:
    """The newest operations (tool calls that changed the branch), with what undid them."""
    found: list[OperationLine] = []
    for op in operations(access, head):
        if len(found) == OPERATIONS_LIMIT:
            break
        found.append(OperationLine(op.sha, op.tool, op.message, op.time, op.files, op.undone_by))
    return found


def history(repo: Repository, head: str, undone: dict[str, str]) -> History:
    """The commits ``head`` has that ``main`` lacks, newest first, marked.

    ``undone`` maps an operation to what took it back (from ``operation_lines``); a commit
    rolled back by a ``Reverts`` trailer further up is marked too.
    """
    ahead = repo.ahead_behind(head, BASE_BRANCH)[0]
    main = repo.resolve(BASE_BRANCH)
    entries: list[LogEntry] = []
    wanted = min(ahead, HISTORY_LIMIT)
    cursor: str | None = None
    while len(entries) < wanted:
        page = repo.log(head, cursor=cursor, limit=HISTORY_LIMIT)
        for entry in page.commits:
            if len(entries) < wanted and not repo.is_ancestor(entry.sha, main):
                entries.append(entry)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    reverted_by: dict[str, str] = {}
    for entry in reversed(entries):  # oldest first: the newest rollback wins
        target = entry.trailers.get(REVERTS_TRAILER)
        if target:
            reverted_by[target] = entry.sha
    commits = [
        HistoryCommit(
            sha=e.sha,
            summary=e.summary,
            time=e.time,
            author=e.author,
            tool=e.trailers.get(TOOL_TRAILER),
            files=[f for f in e.files if not f.startswith(LOGS_DIR + "/")],
            mark=_mark(e),
            target=e.trailers.get(REVERTS_TRAILER) or e.trailers.get(RESTORES_TRAILER),
            undone_by=undone.get(e.sha) or reverted_by.get(e.sha),
        )
        for e in entries
    ]
    return History(commits, ahead > len(commits))


def _mark(entry: LogEntry) -> Mark | None:
    if REVERTS_TRAILER in entry.trailers:
        return "rollback"
    if RESTORES_TRAILER in entry.trailers:
        return "undo" if entry.trailers.get(TOOL_TRAILER) == "sandbox.undo" else "restore"
    return None


def rollback_words(
    repo: Repository, head: str, branch: str, known: dict[str, HistoryCommit]
) -> list[RollbackWords]:
    """The sandbox's own rollback records, newest first: what was undone, by whom, why.

    ``known`` (the history shown) names most commits; others are read from git.
    """
    records = own_rollbacks(repo, head, branch)[-ROLLBACKS_LIMIT:][::-1]
    by_target = {c.target: c for c in known.values() if c.mark == "rollback"}
    found = []
    for record in records:
        reverted = str(record.get("reverted_sha", ""))
        undone = known.get(reverted)
        rollback = by_target.get(reverted)
        summary = undone.summary if undone else _summary(repo, reverted)
        found.append(
            RollbackWords(
                reverted_sha=reverted,
                reverted_summary=summary,
                by=rollback.author if rollback else None,
                at=_when(record.get("at")),
                reason=str(record.get("reason") or ""),
                files=[f for f in record.get("files") or [] if isinstance(f, str)],
            )
        )
    return found


def _when(value: object) -> datetime | None:
    """The record's ``at`` (ISO 8601, as written, or as YAML read it); None if unreadable."""
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _summary(repo: Repository, sha: str) -> str | None:
    try:
        commits = repo.log(sha, limit=1).commits
    except NotFound:
        return None
    return commits[0].summary if commits else None


def changes(repo: Repository, head: str, max_patch_bytes: int) -> Changes:
    """The diff from ``main`` to ``head`` (``.logs/`` left out), its patches as lines."""
    diff = repo.diff(BASE_BRANCH, head, max_patch_bytes=max_patch_bytes, exclude=(LOGS_DIR,))
    files = [file_diff(f) for f in diff.files[:DIFF_FILES_LIMIT]]
    return Changes(files, diff.truncated or len(diff.files) > DIFF_FILES_LIMIT)
