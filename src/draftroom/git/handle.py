"""``Handle``: what every part of ``Repository`` shares: the git directory and, per thread,
the ``pygit2.Repository`` opened on it (libgit2 objects must not be shared between threads).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import pygit2
from pygit2.enums import Option, RepositoryOpenFlag

from draftroom.git.housekeeping import packs_merged_at
from draftroom.git.locks import FILE_LOCKS, BranchLocks
from draftroom.git.sizes import TreeSizes

T = TypeVar("T")


class Handle:
    """A git directory and its per-thread libgit2 handle; see ``Repository``."""

    path: Path

    def __init__(
        self,
        gitdir: Path,
        *,
        fsync: bool = False,
        allow_case_collisions: bool = False,
        locks: BranchLocks = FILE_LOCKS,
    ) -> None:
        """Use ``Repository.open`` or ``Repository.init``; this trusts ``gitdir``.

        ``allow_case_collisions``: let a commit add a path differing from another only by
        case or Unicode normalisation (refused by default; see ``git.collisions``).
        ``locks``: how writers of a branch exclude each other (``git.locks``).
        """
        self.path = gitdir
        self.locks = locks
        self.fsync = fsync
        self.allow_case_collisions = allow_case_collisions
        self._sizes = TreeSizes()
        self._local = threading.local()
        self._derived: dict[type[Any], Any] = {}
        self._derived_lock = threading.Lock()
        self._packs_merged = packs_merged_at(gitdir)
        self._packs_written = 0
        if fsync:
            # libgit2 option, process-global: once on, every repository in this process fsyncs.
            pygit2.option(Option.ENABLE_FSYNC_GITDIR, 1)

    @property
    def _repo(self) -> pygit2.Repository:
        local = self._local
        repo: pygit2.Repository | None = getattr(local, "repo", None)
        if repo is None or local.packs_merged != self._packs_merged:
            repo = pygit2.Repository(str(self.path), RepositoryOpenFlag.NO_SEARCH)
            local.repo, local.packs_merged = repo, self._packs_merged
        return repo

    def notice_merged_packs(self) -> None:
        """Reopen this process's libgit2 handles (each thread's, on its next use) once packs
        were merged, here or by another process: a handle keeps every pack it has seen,
        deleted ones too, and searches them all for each object it misses. One ``stat``."""
        self._packs_merged = packs_merged_at(self.path)

    def derived(self, kind: type[T], build: Callable[[], T]) -> T:
        """This repository's one ``kind`` of data derived from its objects, built on first use
        by ``build``: e.g. the workspace's parsed files, keyed by blob id so never stale.

        Kept with the repository like ``TreeSizes``, so it lives as long as the process
        keeps the repository open and nothing of it exists at import time.
        """
        with self._derived_lock:
            found = self._derived.get(kind)
            if found is None:
                found = self._derived[kind] = build()
            return cast(T, found)

    def __repr__(self) -> str:
        return f"Repository({str(self.path)!r})"
