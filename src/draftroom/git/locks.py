"""Cross-process, cross-thread exclusive lock per branch.

Held around read head → build tree → write commit → move ref, so concurrent writers to one
branch serialise and none loses an update. ``flock`` on a fresh ``open()`` excludes other
threads of this process as well as other processes. Lock files live under
``<gitdir>/draftroom/locks/`` and are never deleted (deleting a held lock file breaks flock).
Must never be held across anything slow or user-supplied besides the merge resolver.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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
        yield
    finally:
        os.close(fd)  # closing releases the flock
