"""A queue of writers in front of SQLite's write lock, so a commit wakes the next writer.

SQLite's busy handler polls with growing sleeps (up to 100 ms): when a writer commits, the
others sleep on while the lock sits free. Here a connection takes, before the first writing
statement of its transaction, a ``threading.Lock`` shared by this process's connections to
the file (its waiters wake at once) and then an exclusive ``flock`` on ``<db>.writer`` (one
poller per process, at most 2 ms apart), and keeps both until its transaction ends.

SQLite stays the real lock: the queue only orders writers, so a process that does not use it
(the git CLI, an older draftroom) is still correct, only slower. The kernel drops a dead
process's ``flock`` (a forked child closes its inherited descriptor, so it cannot keep its
parent's); the lock file is never deleted. Reads never wait here.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# What takes SQLite's write lock: pysqlite begins a transaction before INSERT, UPDATE,
# DELETE and REPLACE; BEGIN IMMEDIATE/EXCLUSIVE and schema changes take the lock themselves.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
_LOCKING_BEGINS = ("BEGIN IMMEDIATE", "BEGIN EXCLUSIVE")
_FIRST_POLL, _LONGEST_POLL = 0.0002, 0.002  # seconds between flock attempts


def writes(sql: str) -> bool:
    """Whether ``sql`` takes SQLite's write lock (judged, as pysqlite does, by its first word)."""
    head = sql.lstrip()[:15].upper()
    return head.startswith(_WRITES) or " ".join(head.split()).startswith(_LOCKING_BEGINS)


def database_is_locked() -> sqlite3.OperationalError:
    """The error SQLite raises when busy_timeout runs out, so callers see nothing new."""
    error = sqlite3.OperationalError("database is locked")
    error.sqlite_errorcode = sqlite3.SQLITE_BUSY
    error.sqlite_errorname = "SQLITE_BUSY"
    return error


class WriterQueue:
    """This process's place in the queue of one SQLite file's writers."""

    def __init__(self, database: Path) -> None:
        self.lock_file = Path(f"{database}.writer")
        self._writers = threading.Lock()
        self._fd: int | None = None

    def acquire(self, timeout: float) -> None:
        """Wait for the write turn, at most ``timeout`` seconds, else 'database is locked'."""
        deadline = time.monotonic() + timeout
        if not self._writers.acquire(timeout=max(timeout, 0.0)):
            raise database_is_locked()
        try:
            self._lock_file(deadline)
        except BaseException:
            self._writers.release()
            raise

    def release(self) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._writers.release()

    def _lock_file(self, deadline: float) -> None:
        """Only the thread holding ``_writers`` gets here: one poller per process. A
        blocking flock would wake sooner but cannot time out."""
        fd = self._open()
        if fd is None:
            return  # no lock file (read-only directory...): SQLite alone orders processes
        pause = _FIRST_POLL
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise database_is_locked() from None
            time.sleep(pause)
            pause = min(pause * 2, _LONGEST_POLL)

    def _open(self) -> int | None:
        if self._fd is None:
            with contextlib.suppress(OSError):
                self._fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return self._fd

    def forget_fork(self) -> None:
        """In a forked child: a lock of its own, and close the parent's descriptor, whose
        flock would otherwise outlive the parent (and be shared with it)."""
        self._writers = threading.Lock()
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


class _Queues:
    """Every writer queue of this process, one per database file."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_file: dict[Path, WriterQueue] = {}
        self._watching_forks = False

    def of(self, database: Path) -> WriterQueue:
        with self._lock:
            if not self._watching_forks:
                os.register_at_fork(after_in_child=self._after_fork)
                self._watching_forks = True
            queue = self._by_file.get(database)
            if queue is None:
                queue = self._by_file[database] = WriterQueue(database)
            return queue

    def _after_fork(self) -> None:
        self._lock = threading.Lock()
        for queue in self._by_file.values():
            queue.forget_fork()


_queues = _Queues()  # empty until a SQLite file is opened; one per process by nature


def writer_queue(database: Path) -> WriterQueue:
    """The queue of ``database``'s writers in this process (the same for every engine)."""
    return _queues.of(database.resolve())


class QueuedConnection(sqlite3.Connection):
    """A pysqlite connection that joins its file's writer queue before it writes and
    leaves it when its transaction ends (commit, rollback, the pool's reset, close)."""

    def __init__(
        self, *args: Any, writer_queue: WriterQueue, writer_timeout: float, **kwargs: Any
    ) -> None:
        self._queue = writer_queue
        self._timeout = writer_timeout
        self._queued_by: int | None = None  # the pid that joined: a forked copy never leaves
        super().__init__(*args, **kwargs)

    def __del__(self) -> None:
        self._leave_queue()  # dropped without close(): never keep the queue forever

    def cursor(self, factory: Any = None) -> Any:
        return super().cursor(factory or QueuedCursor)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Any:
        return self.cursor().executemany(sql, parameters)

    def executescript(self, script: str, /) -> Any:
        return self.cursor().executescript(script)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.leave_queue_if_done()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.leave_queue_if_done()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._leave_queue()

    def join_queue(self, sql: str) -> None:
        if self._queued_by is None and writes(sql):
            self._queue.acquire(self._timeout)
            self._queued_by = os.getpid()

    def leave_queue_if_done(self) -> None:
        """After a statement or the transaction's end: an autocommit write, a commit or a
        rollback (SQLite's own, on some errors, too) leaves the queue."""
        if self._queued_by is not None and not self.in_transaction:
            self._leave_queue()

    def _leave_queue(self) -> None:
        if self._queued_by is not None:
            queued_here, self._queued_by = self._queued_by == os.getpid(), None
            if queued_here:
                self._queue.release()


class QueuedCursor(sqlite3.Cursor):
    """Joins the writer queue before a writing statement (see ``QueuedConnection``)."""

    connection: QueuedConnection

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        self.connection.join_queue(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            self.connection.leave_queue_if_done()

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Any:
        self.connection.join_queue(sql)
        try:
            return super().executemany(sql, parameters)
        finally:
            self.connection.leave_queue_if_done()

    def executescript(self, script: str, /) -> Any:
        self.connection.join_queue("BEGIN IMMEDIATE")  # a script may write anything
        try:
            return super().executescript(script)
        finally:
            self.connection.leave_queue_if_done()
