"""``Handle``: what every part of ``Repository`` shares: the git directory and, per thread,
the ``pygit2.Repository`` opened on it (libgit2 objects must not be shared between threads).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pygit2
from pygit2.enums import Option, RepositoryOpenFlag

from draftroom.git.sizes import TreeSizes


class Handle:
    """A git directory and its per-thread libgit2 handle; see ``Repository``."""

    path: Path

    def __init__(
        self, gitdir: Path, *, fsync: bool = False, allow_case_collisions: bool = False
    ) -> None:
        """Use ``Repository.open`` or ``Repository.init``; this trusts ``gitdir``.

        ``allow_case_collisions``: let a commit add a path differing from another only by
        case or Unicode normalisation (refused by default; see ``git.collisions``).
        """
        self.path = gitdir
        self.fsync = fsync
        self.allow_case_collisions = allow_case_collisions
        self._sizes = TreeSizes()
        self._local = threading.local()
        if fsync:
            # libgit2 option, process-global: once on, every repository in this process fsyncs.
            pygit2.option(Option.ENABLE_FSYNC_GITDIR, 1)

    @property
    def _repo(self) -> pygit2.Repository:
        repo: pygit2.Repository | None = getattr(self._local, "repo", None)
        if repo is None:
            repo = pygit2.Repository(str(self.path), RepositoryOpenFlag.NO_SEARCH)
            self._local.repo = repo
        return repo

    def __repr__(self) -> str:
        return f"Repository({str(self.path)!r})"
