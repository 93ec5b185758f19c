"""Per-branch writer locks that hold across nodes: PostgreSQL session advisory locks.

Each held lock owns one pooled connection (autocommit, so no transaction idles open) on
which ``pg_advisory_lock`` was taken; the lock ends with ``pg_advisory_unlock`` or, when
the holder's process dies, with its connection, so a crashed node never leaves a branch
locked. The key is a stable 64-bit hash of the repository's git directory and the branch:
every node must mount the repositories volume at the same path (the paths in the
``repositories`` table are absolute already). Never used on SQLite (one machine: file locks).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

LOCK_POOL_SIZE = 8
"""Connections kept for branch locks; more are opened while more branches are written at once."""


def branch_lock_key(gitdir: Path, branch: str) -> int:
    """A signed 64-bit key (PostgreSQL's ``bigint``) naming ``branch`` of ``gitdir``."""
    digest = hashlib.sha256(f"draftroom-branch\0{gitdir}\0{branch}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class AdvisoryBranchLocks:
    """``git.BranchLocks`` over PostgreSQL advisory locks; build one per process."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(
            url,
            isolation_level="AUTOCOMMIT",
            pool_size=LOCK_POOL_SIZE,
            max_overflow=64,
            pool_recycle=3600,
        )

    @contextmanager
    def hold(self, gitdir: Path, branch: str) -> Iterator[None]:
        """Wait for, then hold, the lock of ``branch`` in ``gitdir`` for the block."""
        key = branch_lock_key(gitdir, branch)
        with self.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            try:
                yield
            finally:
                try:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                except DBAPIError:
                    # The connection is gone, and with it the lock: never pool it again.
                    connection.invalidate()

    def dispose(self) -> None:
        self.engine.dispose()
