"""Cross-process, cross-thread exclusive lock per branch.

Held around read head → build tree → write commit → move ref, so concurrent writers to one
branch serialise and none loses an update. ``flock`` on a fresh ``open()`` excludes other
threads of this process as well as other processes. Lock files live under
``<gitdir>/draftroom/locks/`` and are never deleted (deleting a held lock file breaks flock).
Must never be held across anything slow or user-supplied besides the merge resolver.

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
from contextlib import contextmanager
from pathlib import Path

STALE_REF_LOCK_SECONDS = 3.0


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
