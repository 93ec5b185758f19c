"""``PluginContext``: all a plugin's tool or hook sees of the call: the sandbox's repository
name and branch, and reading, listing and committing there, through draftroom's own checks.

It holds the call and the sandbox privately and exposes nothing else of draftroom's internals.
"""

from __future__ import annotations

from collections.abc import Mapping

from draftroom.domain.access import SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.commits import commit_and_log, refuse_log_path
from draftroom.errors import InvalidInput
from draftroom.git import Change

MAX_LISTED = 10_000
"""Entries ``list`` returns at most: a plugin gets a bounded answer, never a whole monorepo."""


class PluginContext:
    """The sandbox a plugin acts on; every commit is audited and checked like a tool's own."""

    __slots__ = ("__access", "__call")

    def __init__(self, call: Call, access: SandboxAccess) -> None:
        self.__call = call
        self.__access = access

    @property
    def repo_name(self) -> str:
        return self.__access.repo_name

    @property
    def branch(self) -> str:
        return self.__access.branch

    def read(self, path: str) -> bytes:
        """The file's bytes at the branch's head (404 ``path_not_found`` if absent)."""
        return self.__access.repo.read_file(self.__access.head(), path).data

    def list(self, path: str = "") -> list[str]:
        """The paths directly under the directory ``path`` ('' for the root) at the head."""
        found: list[str] = []
        cursor: str | None = None
        while len(found) < MAX_LISTED:
            page = self.__access.repo.list_tree(
                self.__access.head(), path, cursor=cursor, limit=1000
            )
            found += [entry.path for entry in page.entries]
            cursor = page.next_cursor
            if cursor is None:
                break
        return found[:MAX_LISTED]

    def commit(self, changes: Mapping[str, bytes | str | None], message: str) -> str:
        """Commit ``{path: new content, or None to delete}`` as one audited commit on the
        branch (the same checks and hooks as ``git.commit``); its sha."""
        if not changes:
            raise InvalidInput("a plugin's commit needs at least one change")
        made = []
        for path, data in changes.items():
            refuse_log_path(path)
            if data is None:
                made.append(Change(path, delete=True))
            else:
                made.append(Change(path, data.encode() if isinstance(data, str) else data))
        return commit_and_log(self.__call, self.__access, made, message).sha
