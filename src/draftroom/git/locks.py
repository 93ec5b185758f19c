"""Cross-process, cross-thread exclusive lock per branch, and the interface (``BranchLocks``)
a repository takes its locks through.

Held around read head → build tree → write commit → move ref, so concurrent writers to one
branch serialise and none loses an update. ``flock`` on a fresh ``open()`` excludes other
threads of this process as well as other processes. Lock files live under
``<gitdir>/draftroom/locks/`` and are never deleted (deleting a held lock file breaks flock).
Must never be held across anything slow or user-supplied besides the merge resolver.

File locks hold on one machine (the single-node default); several nodes sharing a
repositories volume pass another ``BranchLocks`` (``store.AdvisoryBranchLocks``: PostgreSQL
advisory locks), which must also call ``remove_stale_ref_lock`` once it holds the lock.

A process killed mid ref update leaves libgit2's ``refs/heads/<branch>.lock`` behind, and
every later update of that branch would fail. Once we hold the flock no draftroom writer can
be updating the ref, so such a file older than ``STALE_REF_LOCK_SECONDS`` (git itself holds
it for milliseconds) is left over from a crash and is removed.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

STALE_REF_LOCK_SECONDS = 3.0


class BranchLocks(Protocol):
    """Exclusive per-branch writer locks over one set of repositories."""

    def hold(self, gitdir: Path, branch: str) -> AbstractContextManager[None]:
        """Hold ``branch``'s lock in the repository at ``gitdir`` for the ``with`` block."""
        ...


class FileLocks:
    """``branch_lock``: flock files in the git directory; exclusive on one machine."""

    def hold(self, gitdir: Path, branch: str) -> AbstractContextManager[None]:
        return branch_lock(gitdir, branch)


FILE_LOCKS = FileLocks()


class SweptLocks:
    """Another ``BranchLocks`` (e.g. across nodes) that, once held, removes a crash's
    leftover ref lock like ``branch_lock`` does."""

    def __init__(self, inner: BranchLocks) -> None:
        self.inner = inner

    @contextmanager
    def hold(self, gitdir: Path, branch: str) -> Iterator[None]:
        with self.inner.hold(gitdir, branch):
            remove_stale_ref_lock(gitdir, branch)
            yield


def lock_path(gitdir: Path, branch: str) -> Path:
    """Lock file for ``branch``; hashed so nested names need no directories."""
    digest = hashlib.sha1(branch.encode("utf-8")).hexdigest()
    return gitdir / "draftroom" / "locks" / f"{digest}.lock"


@contextmanager
def branch_lock(gitdir: Path, branch: str) -> Iterator[None]:
    """Hold the exclusive lock on ``branch`` for the body of the ``with`` block."""
    path = lock_path(gitdir, branch)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        remove_stale_ref_lock(gitdir, branch)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def remove_stale_ref_lock(
    gitdir: Path, branch: str, max_age: float = STALE_REF_LOCK_SECONDS
) -> bool:
    """Delete ``refs/heads/<branch>.lock`` left by a crash; call only under the branch lock.

    A younger file may belong to a git command run by hand, so it is left alone (the ref
    update then fails as stale and the caller retries).
    """
    ref_lock = gitdir / "refs" / "heads" / f"{branch}.lock"
    try:
        age = time.time() - ref_lock.stat().st_mtime
    except (FileNotFoundError, NotADirectoryError):
        return False
    if age < max_age:
        return False
    try:
        ref_lock.unlink()
    except FileNotFoundError:
        return False
    return True
