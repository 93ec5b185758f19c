"""Updating a loose ref file the way git does, without ext4's flush on rename-over.

git and libgit2 move a ref by writing ``<ref>.lock`` (created ``O_EXCL``, which is the lock
every git writer honours), checking the old value, then renaming the lock over the ref. On
ext4 (``auto_da_alloc``, the default) renaming over an existing file forces writeback of the
new file's data first: measured at 0.15 ms quiet and up to 2.5 ms under I/O load, it was the
slowest and noisiest step of a commit. ``renameat2(RENAME_EXCHANGE)`` swaps the two names
atomically without that flush (0.03 ms); the lock file then holds the old value and is
removed, which releases the lock. Readers see the old or the new ref, never neither, and a
kill -9 at any point leaves at worst a stale lock file (``locks.remove_stale_ref_lock``).

The flush only ever protected the ref file against power loss, and without ``fsync`` the
objects it points at are not protected either; with ``fsync`` on we fsync the lock file
before the swap and the directory after it, as libgit2 does.

Used only where libgit2 would write no reflog (bare repository, ``core.logAllRefUpdates``
unset or false); elsewhere callers use ``Reference.set_target``. Must be called under the
branch lock, and never creates or deletes a ref.
"""

from __future__ import annotations

import ctypes
import errno
import os
from pathlib import Path

import pygit2

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_fsync = False  # mirrors libgit2's process-global ENABLE_FSYNC_GITDIR


def enable_fsync() -> None:
    """fsync ref updates from now on in this process, as libgit2's option does for its own."""
    global _fsync
    _fsync = True


class RefMoved(Exception):
    """The ref no longer holds the expected value, or another git writer holds its lock."""


def _load_renameat2() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):  # not glibc >= 2.28: plain rename only
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    function.restype = ctypes.c_int
    return function


_renameat2 = _load_renameat2()


def exchange_or_rename(source: Path, target: Path) -> bool:
    """Put ``source`` at ``target`` atomically; True if swapped (``source`` now holds the old).

    Falls back to ``rename`` when the target does not exist (a ref only in packed-refs) or the
    filesystem or C library cannot exchange.
    """
    if _renameat2 is not None:
        if (
            _renameat2(
                _AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), _RENAME_EXCHANGE
            )
            == 0
        ):
            return True
        code = ctypes.get_errno()
        if code not in (errno.ENOENT, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(code, os.strerror(code), str(target))
    os.rename(source, target)
    return False


def writes_reflog(repo: pygit2.Repository) -> bool:
    """Whether libgit2 would append a reflog entry when a branch of ``repo`` moves."""
    if not repo.is_bare:
        return True
    try:
        return repo.config.get_bool("core.logAllRefUpdates")
    except (KeyError, pygit2.GitError, ValueError):  # unset, or 'always' (not a bool)
        return "core.logAllRefUpdates" in repo.config


def update_ref(repo: pygit2.Repository, name: str, new: pygit2.Oid, old: pygit2.Oid) -> None:
    """Point the ref ``name`` at ``new`` if it holds ``old``; else raise ``RefMoved``."""
    path = Path(repo.path) / name
    lock = path.with_name(path.name + ".lock")
    try:
        fd = _create_lock(lock)
    except FileExistsError:
        raise RefMoved(f"{lock.name} exists: another git process is updating the ref") from None
    except NotADirectoryError:
        raise RefMoved(f"ref {name} cannot exist: a ref is in the way of its name") from None
    ours = True  # the lock file is ours to remove until a plain rename moves it onto the ref
    try:
        try:
            os.write(fd, f"{new}\n".encode("ascii"))
            if _fsync:
                os.fsync(fd)
        finally:
            os.close(fd)
        current = repo.references.get(name)  # read under the .lock: the compare of the swap
        if current is None or current.target != old:
            raise RefMoved(f"ref {name} moved to {current.target if current else 'nothing'}")
        ours = exchange_or_rename(lock, path)
        if _fsync:
            _fsync_dir(path.parent)
    finally:
        if ours:  # after a plain rename the name may already be another writer's lock
            lock.unlink(missing_ok=True)


def _create_lock(lock: Path) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    try:
        return os.open(lock, flags, 0o666)
    except FileNotFoundError:  # `git pack-refs` removed the empty directories; git recreates them
        lock.parent.mkdir(parents=True, exist_ok=True)
        return os.open(lock, flags, 0o666)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
