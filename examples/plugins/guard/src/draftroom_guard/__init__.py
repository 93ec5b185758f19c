"""guard: a draftroom policy plugin.

Refuses any sandbox commit that touches a protected path (``DRAFTROOM_GUARD_PROTECTED``,
comma-separated prefixes; default ``LICENSE,.github/``) or deletes more than
``DRAFTROOM_GUARD_MAX_DELETIONS`` files (default 20). With ``DRAFTROOM_GUARD_JOURNAL`` set
to a file, appends one JSON line per commit, merge request and failed tool call to it, for a
team's own notifications.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from draftroom.plugins import FileChange, PluginContext, hookimpl

requires_api = ">=1,<3"


def _protected() -> list[str]:
    text = os.environ.get("DRAFTROOM_GUARD_PROTECTED", "LICENSE,.github/")
    return [part.strip() for part in text.split(",") if part.strip()]


def _is_protected(path: str, prefix: str) -> bool:
    return path == prefix.rstrip("/") or (prefix.endswith("/") and path.startswith(prefix))


@hookimpl
def before_commit(ctx: PluginContext, changes: Sequence[FileChange]) -> str | None:
    for change in changes:
        for prefix in _protected():
            if _is_protected(change.path, prefix):
                return f"{change.path!r} is protected ({prefix!r}); ask a maintainer to change it"
    limit = int(os.environ.get("DRAFTROOM_GUARD_MAX_DELETIONS", "20"))
    deleted = sum(1 for change in changes if change.deleted)
    if deleted > limit:
        return f"the commit deletes {deleted} files, more than {limit}; split it"
    return None


def _journal(event: str, **facts: Any) -> None:
    path = os.environ.get("DRAFTROOM_GUARD_JOURNAL")
    if path:
        with open(path, "a", encoding="utf-8") as journal:
            journal.write(json.dumps({"event": event, **facts}) + "\n")


@hookimpl
def after_commit(ctx: PluginContext, sha: str, files: Sequence[str]) -> None:
    _journal("commit", repo=ctx.repo_name, branch=ctx.branch, sha=sha, files=list(files))


@hookimpl
def on_merge_request(ctx: PluginContext, merge_request: dict[str, Any]) -> None:
    _journal("merge_request", repo=ctx.repo_name, **merge_request)


@hookimpl
def on_tool_error(tool: str, code: str, message: str, request_id: str) -> None:
    _journal("tool_error", tool=tool, code=code, message=message, request_id=request_id)
