"""Keeping a bare repository small while it serves: repack, prune, and clear stale locks.

Maintenance repacks everything (``repack_and_prune``); between its runs the committing
workers merge the small packs each commit writes (``merge_small_packs``), one repack of a
repository at a time. Runs the git CLI, which does this work with the guarantees git gives concurrent writers:
``repack -A -d --unpack-unreachable`` keeps every object a concurrent commit may still
reference, as loose objects, and ``prune --expire`` deletes only unreachable loose objects
older than the grace period (e.g. those a commit refused as a stale head left behind).
``prune`` and ``prune-packed`` also remove fan-out directories (``objects/8f/``) they
leave empty, and libgit2 does not retry a loose-object write whose directory vanished
between its ``mkdir`` and its ``rename``: so each fan-out directory keeps a file git
ignores (``tmp_obj_draftroom_keep``, refreshed before each run, so never old enough for
``prune`` to delete) and is never empty. Refs are never packed or rewritten here (no ``pack-refs``, no reflog expiry): those take
ref locks our writers take too.

Lock files: ``draftroom/locks/*.lock`` are flock files that are never deleted (deleting one
a process holds breaks the lock). A ``refs/heads/<branch>.lock`` is removed under the
branch lock (``locks.remove_stale_ref_lock``); any other git ``*.lock`` (``packed-refs``,
``config``, ``HEAD``, other refs) only when older than ``STALE_LOCK_SECONDS``, far longer
than git holds one.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from draftroom.errors import DraftroomError
from draftroom.git.locks import FILE_LOCKS, BranchLocks, remove_stale_ref_lock

PRUNE_EXPIRE = "2.weeks.ago"
STALE_LOCK_SECONDS = 3600.0
GIT_TIMEOUT_SECONDS = 3600
_HEADS = ("refs", "heads")
_OUR_LOCKS = ("draftroom", "locks")
_MERGED = ("draftroom", "packs-merged")
KEEP_FILE = "tmp_obj_draftroom_keep"
"""git skips ``tmp_obj_*`` files (``fsck``, ``prune-packed``), and ``prune`` removes one only
when older than its expiry."""
_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}


@dataclass(frozen=True)
class ObjectCounts:
    loose: int
    packs: int
    bytes: int
    """Loose objects and packs on disk, in bytes."""


@dataclass(frozen=True)
class Repacked:
    before: ObjectCounts
    after: ObjectCounts


def _git(gitdir: Path, *args: str) -> str:
    command = ["git", "-c", "safe.directory=*", "-c", "gc.auto=0", f"--git-dir={gitdir}", *args]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            env={**os.environ, **_ENV},
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DraftroomError(f"git {args[0]} could not run in {gitdir}: {exc}") from None
    if done.returncode != 0:
        raise DraftroomError(f"git {args[0]} failed in {gitdir}: {done.stderr.strip()[:500]}")
    return done.stdout


def count_objects(gitdir: Path) -> ObjectCounts:
    fields = dict(line.split(": ", 1) for line in _git(gitdir, "count-objects", "-v").splitlines())
    kib = int(fields.get("size", 0)) + int(fields.get("size-pack", 0))
    return ObjectCounts(int(fields.get("count", 0)), int(fields.get("packs", 0)), kib * 1024)


def repack_and_prune(gitdir: Path, expire: str = PRUNE_EXPIRE) -> Repacked:
    """Pack every object into one pack, keep recent unreachable ones loose, and delete
    unreachable loose objects older than ``expire``. Safe while others commit."""
    with _packs_lock(gitdir, wait=True):
        keep_fanout_dirs(gitdir)
        before = count_objects(gitdir)
        _git(gitdir, "repack", "-A", "-d", "-q", f"--unpack-unreachable={expire}")
        _git(gitdir, "prune", f"--expire={expire}")
        _packs_merged(gitdir)
    return Repacked(before, count_objects(gitdir))


def pack_count(gitdir: Path) -> int:
    """Packs in the repository (each commit writes one: ``packs``)."""
    try:
        with os.scandir(gitdir / "objects" / "pack") as found:
            return sum(1 for entry in found if entry.name.endswith(".idx"))
    except FileNotFoundError:
        return 0


def merge_small_packs(gitdir: Path) -> bool:
    """Merge the small packs commits wrote, so a pack is at least twice the size of the next
    smaller one (``git repack -d --geometric=2``: a log of packs, each object rewritten a few
    times at most); whether it ran (no: another process is repacking). Safe while others
    commit and read: libgit2 finds an object of a deleted pack in the merged one."""
    with _packs_lock(gitdir, wait=False) as held:
        if not held:
            return False
        keep_fanout_dirs(gitdir)  # repack -d runs prune-packed
        _git(gitdir, "-c", "repack.writeBitmaps=false", "repack", "-d", "-q", "--geometric=2")
        _packs_merged(gitdir)
    return True


def packs_merged_at(gitdir: Path) -> int:
    """When packs were last merged or repacked here (ns; 0: never): each process then
    reopens its libgit2 handles (``Handle.notice_merged_packs``), which otherwise keep
    every deleted pack in their list."""
    try:
        return gitdir.joinpath(*_MERGED).stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def _packs_merged(gitdir: Path) -> None:
    gitdir.joinpath(*_MERGED).touch()


@contextmanager
def _packs_lock(gitdir: Path, *, wait: bool) -> Iterator[bool]:
    """One repack of a repository at a time on this machine; yields whether it is held."""
    path = gitdir.joinpath(*_OUR_LOCKS, "packs.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def keep_fanout_dirs(gitdir: Path) -> None:
    """Give every ``objects/XX/`` directory a fresh file git ignores, so none is ever empty."""
    objects = gitdir / "objects"
    now = time.time()
    for n in range(256):
        directory = objects / f"{n:02x}"
        directory.mkdir(exist_ok=True)
        keep = directory / KEEP_FILE
        keep.touch()
        os.utime(keep, (now, now))


def remove_stale_locks(
    gitdir: Path, max_age: float = STALE_LOCK_SECONDS, locks: BranchLocks = FILE_LOCKS
) -> list[str]:
    """Remove the git lock files a crashed process left; the paths removed. A branch's ref
    lock only under that branch's writer lock (``locks``: across nodes when they share one)."""
    removed = []
    for path in sorted(gitdir.rglob("*.lock")):
        parts = path.relative_to(gitdir).parts
        if parts[:2] == _OUR_LOCKS or not path.is_file():
            continue
        if parts[:2] == _HEADS:
            branch = "/".join(parts[2:]).removesuffix(".lock")
            with locks.hold(gitdir, branch):  # no draftroom writer is updating the ref
                remove_stale_ref_lock(gitdir, branch)  # taking the lock may have already
            gone = not path.exists()
        else:
            gone = _remove_if_older(path, max_age)
        if gone:
            removed.append("/".join(parts))
    return removed


def _remove_if_older(path: Path, max_age: float) -> bool:
    try:
        if time.time() - path.stat().st_mtime < max_age:
            return False
        path.unlink()
    except FileNotFoundError:
        return False
    return True
