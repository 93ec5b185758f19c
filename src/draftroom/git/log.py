"""Reading history: paged commit log with optional path filter, and files per commit.

Cursors are the sha of the last commit returned; the walk restarts from the ref and skips
up to it, so a page never repeats or skips a commit even when the branch has moved on.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pygit2
from pygit2.enums import SortMode

from draftroom.errors import InvalidInput
from draftroom.git.objects import Identity, LogEntry, LogPage
from draftroom.git.trees import changed_paths, entry

MAX_LIMIT = 1000


def log_entry(commit: pygit2.Commit) -> LogEntry:
    parent = commit.parents[0].tree if commit.parents else None
    message = commit.message
    return LogEntry(
        sha=str(commit.id),
        parents=[str(p) for p in commit.parent_ids],
        message=message,
        summary=message.splitlines()[0] if message else "",
        author=Identity(commit.author.name, commit.author.email),
        time=datetime.fromtimestamp(commit.commit_time, tz=UTC),
        trailers=dict(commit.message_trailers),
        files=changed_paths(parent, commit.tree),
    )


def touches(commit: pygit2.Commit, path: str) -> bool:
    """Whether ``commit`` changed ``path`` or anything under it, against its first parent."""
    after = entry(commit.tree, path)
    before = entry(commit.parents[0].tree, path) if commit.parents else None
    if before is None or after is None:
        return before is not after
    return before.id != after.id or before.filemode != after.filemode


def log(
    repo: pygit2.Repository,
    head: pygit2.Commit,
    *,
    path: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
    first_parent: bool = False,
) -> LogPage:
    """Commits reachable from ``head``, newest first, ``limit`` at a time.

    ``first_parent`` follows only first parents: the branch's own line through merges.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    walker = repo.walk(head.id, SortMode.TOPOLOGICAL | SortMode.TIME)
    if first_parent:
        walker.simplify_first_parent()
    if cursor is not None:
        for commit in walker:
            if str(commit.id) == cursor:
                break
        else:
            raise InvalidInput(
                f"cursor {cursor!r} is not in this history; start again without a cursor",
                cursor=cursor,
            )
    entries: list[LogEntry] = []
    for commit in walker:
        if path is not None and not touches(commit, path):
            continue
        if len(entries) == limit:
            return LogPage(commits=entries, next_cursor=entries[-1].sha)
        entries.append(log_entry(commit))
    return LogPage(commits=entries, next_cursor=None)
