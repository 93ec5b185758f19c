"""SQLite writers queue for the write lock: the next one writes as soon as the holder's
transaction ends, in this process or another, and a dead holder never blocks anyone."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from draftroom.store import Database, Org, sqlite_url

_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
# Writes one org and holds the transaction until told to commit ("commit" on stdin), then
# stays alive (its connection open) until stdin closes. With "fork", forks a child that
# sleeps on (and prints its pid) while the transaction is held.
_HOLDER = """
import multiprocessing, sys, time
from draftroom.store import Database, Org
db = Database(sys.argv[1])
with db.session() as session:
    session.add(Org(name="holder"))
    session.flush()
    if sys.argv[2:] == ["fork"]:
        child = multiprocessing.get_context("fork").Process(target=time.sleep, args=(600,))
        child.start()
        print(child.pid, flush=True)
    print("holding", flush=True)
    sys.stdin.readline()
print("committed", flush=True)
sys.stdin.read()
"""
_WRITER = """
import sys
from draftroom.store import Database, Org
db = Database(sys.argv[1])
for i in range(int(sys.argv[3])):
    with db.session() as session:
        session.add(Org(name=f"{sys.argv[2]}-{i}"))
"""


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = sqlite_url(tmp_path / "writers.db")
    Database(url).migrate()
    return url


def _add_org(database: Database, name: str) -> int:
    with database.session() as session:
        org = Org(name=name)
        session.add(org)
        session.flush()
        return org.id


def _without_busy_handler(database: Database) -> Database:
    """A writer that meets SQLite's lock held fails at once: it must have waited in the queue."""

    @event.listens_for(database.engine, "connect")
    def no_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    return database


class _Holder:
    """A write transaction held open, in this process or another, until ``commit()``."""

    def __init__(self, url: str, elsewhere: bool, fork_a_child: bool = False) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.session: Session | None = None
        self.child_pid = 0
        if elsewhere:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _HOLDER, url, *(["fork"] if fork_a_child else [])],
                env=_ENV,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            if fork_a_child:
                self.child_pid = int(self._line())
            assert self._line() == "holding"
        else:
            self.session = Database(url).new_session()
            self.session.add(Org(name="holder"))
            self.session.flush()

    def _line(self) -> str:
        assert self.process is not None and self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def commit(self) -> None:
        if self.process is not None:
            assert self.process.stdin is not None
            self.process.stdin.write("commit\n")
            self.process.stdin.flush()
            assert self._line() == "committed"
        elif self.session is not None:
            self.session.commit()

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
        if self.process is not None:
            self.process.communicate(timeout=30)


@contextmanager
def _holding(url: str, elsewhere: bool, fork_a_child: bool = False) -> Iterator[_Holder]:
    holder = _Holder(url, elsewhere, fork_a_child)
    try:
        yield holder
    finally:
        holder.close()


_WHERE = pytest.mark.parametrize(
    "elsewhere",
    [False, pytest.param(True, marks=pytest.mark.slow)],
    ids=["holder_in_this_process", "holder_in_another_process"],
)


@_WHERE
def test_waiting_writer_writes_as_soon_as_the_holder_commits(url: str, elsewhere: bool) -> None:
    waiter = _without_busy_handler(Database(url))
    written: list[int] = []
    with _holding(url, elsewhere) as holder:
        writing = threading.Thread(target=lambda: written.append(_add_org(waiter, "waiter")))
        writing.start()
        writing.join(timeout=0.3)
        assert writing.is_alive(), "wrote while another transaction held the write lock"
        holder.commit()
        writing.join(timeout=30)
    assert not writing.is_alive()
    with waiter.session() as session:
        assert session.scalars(select(Org.name).order_by(Org.id)).all() == ["holder", "waiter"]


@_WHERE
def test_writer_gives_up_with_database_is_locked_after_the_timeout(
    url: str, elsewhere: bool
) -> None:
    waiter = Database(url, lock_timeout=0.2)
    with _holding(url, elsewhere) as holder:
        with pytest.raises(OperationalError) as raised:
            _add_org(waiter, "too late")
        assert isinstance(raised.value.orig, sqlite3.OperationalError)
        assert str(raised.value.orig) == "database is locked"
        holder.commit()
    assert _add_org(waiter, "in time") > 0  # giving up left nothing held


@_WHERE
def test_reads_never_wait_for_the_writer_queue(url: str, elsewhere: bool) -> None:
    reader = Database(url, lock_timeout=0.2)
    _add_org(reader, "before")
    with _holding(url, elsewhere), reader.session() as session:
        assert session.scalars(select(Org.name)).all() == ["before"]


def _commit(session: Session) -> None:
    session.commit()


def _rollback(session: Session) -> None:
    session.rollback()


def _close(session: Session) -> None:
    session.close()  # the pool's reset-on-return rolls back


def _invalidate(session: Session) -> None:
    session.connection().invalidate()  # closes the DBAPI connection


@pytest.mark.parametrize("end", [_commit, _rollback, _close, _invalidate])
def test_every_end_of_a_transaction_lets_the_next_writer_in(
    url: str, end: Callable[[Session], None]
) -> None:
    database = Database(url, lock_timeout=0.2)
    session = database.new_session()
    session.add(Org(name="first"))
    session.flush()
    end(session)
    session.close()
    assert _add_org(Database(url, lock_timeout=0.2), "next") > 0  # another connection


def test_a_write_outside_a_transaction_leaves_the_queue_at_once(url: str) -> None:
    database = Database(url, lock_timeout=0.2)
    with database.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(Org.__table__.insert().values(name="autocommitted"))
        assert _add_org(database, "next") > 0


@pytest.mark.slow
def test_two_processes_writing_at_once_lose_nothing(url: str) -> None:
    rows = 150
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, url, name, str(rows)],
            env=_ENV,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    errors = [writer.communicate(timeout=120)[1] for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0], errors
    with Database(url).session() as session:
        assert session.scalar(select(func.count()).select_from(Org)) == 2 * rows


@pytest.mark.slow
def test_a_holder_killed_mid_transaction_blocks_no_one(url: str) -> None:
    with _holding(url, elsewhere=True) as holder:
        holder.kill()
        database = Database(url, lock_timeout=2)
        _add_org(database, "after")
    with database.session() as session:
        assert session.scalars(select(Org.name)).all() == ["after"]


@pytest.mark.slow
def test_a_holder_killed_with_a_forked_child_alive_blocks_no_one(url: str) -> None:
    """The child inherits the lock file's descriptor; it must not keep the dead one's lock."""
    with _holding(url, elsewhere=True, fork_a_child=True) as holder:
        try:
            holder.kill()
            assert _add_org(Database(url, lock_timeout=2), "after") > 0
        finally:
            os.kill(holder.child_pid, signal.SIGKILL)


def test_the_writer_lock_file_is_private(url: str, tmp_path: Path) -> None:
    _add_org(Database(url), "acme")
    assert (tmp_path / "writers.db.writer").stat().st_mode & 0o777 == 0o600
