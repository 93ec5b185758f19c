"""``Repository``: the git engine's one entry point for a repository on disk.

Writes only objects and refs under the git directory (plus our lock files under
``<gitdir>/draftroom/``): never the working tree, the index, or a checked-out branch.
Safe to share across threads: each thread gets its own ``pygit2.Repository`` because
libgit2 objects must not be shared between threads. Its methods live by concept in
``branches`` (refs), ``reading``, ``writing`` and ``remote`` (fetch and push).
"""

from __future__ import annotations

from pathlib import Path

import pygit2
from pygit2.enums import FileMode, RepositoryOpenFlag

from draftroom.errors import AlreadyExists, RepoNotFound
from draftroom.git.branches import Branches
from draftroom.git.commits import signature
from draftroom.git.locks import FILE_LOCKS, BranchLocks
from draftroom.git.objects import Identity
from draftroom.git.reading import Reading
from draftroom.git.refs import HEADS
from draftroom.git.remote import Remote
from draftroom.git.writing import Writing

DEFAULT_README = b"# Repository\n\nCreated by draftroom.\n"


class Repository(Branches, Reading, Writing, Remote):
    """A git repository addressed by its git directory; see the module docstring."""

    @classmethod
    def init(
        cls,
        path: Path | str,
        *,
        readme: bytes | None = None,
        fsync: bool = False,
        allow_case_collisions: bool = False,
        locks: BranchLocks = FILE_LOCKS,
    ) -> Repository:
        """Create a bare repository whose ``main`` holds one commit adding README.md."""
        target = Path(path)
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise AlreadyExists(f"{target} already exists and is not empty; pick a new path")
        raw = pygit2.init_repository(str(target), bare=True, initial_head="main")
        builder = raw.TreeBuilder()
        blob = raw.create_blob(DEFAULT_README if readme is None else readme)
        builder.insert("README.md", blob, FileMode.BLOB)
        who = signature(Identity())
        raw.create_commit(HEADS + "main", who, who, "Initial commit\n", builder.write(), [])
        gitdir = Path(raw.path).resolve()
        raw.free()
        return cls(gitdir, fsync=fsync, allow_case_collisions=allow_case_collisions, locks=locks)

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        fsync: bool = False,
        allow_case_collisions: bool = False,
        locks: BranchLocks = FILE_LOCKS,
    ) -> Repository:
        """Open an existing repository, bare or not (``path`` may be a work tree or git dir)."""
        try:
            raw = pygit2.Repository(str(path), RepositoryOpenFlag.NO_SEARCH)
        except (pygit2.GitError, KeyError, OSError):
            raise RepoNotFound(
                f"no git repository at {str(path)!r}; initialise one or check the path"
            ) from None
        gitdir = Path(raw.path).resolve()
        raw.free()
        return cls(gitdir, fsync=fsync, allow_case_collisions=allow_case_collisions, locks=locks)
