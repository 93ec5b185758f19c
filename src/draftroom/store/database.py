"""The connection to draftroom's database: engine, unit-of-work sessions and migrations.

SQLite (one file next to the data dir) and PostgreSQL (``postgresql+psycopg://``) are both
first class. ``migrate()`` may run from several processes at once (the CLI and a server
starting on the same file) and must leave exactly one schema behind.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from draftroom.store.branch_locks import AdvisoryBranchLocks
from draftroom.store.sqlite_writers import QueuedConnection, writer_queue

_MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant shared by every draftroom process; serialises migrations on PostgreSQL.
_MIGRATION_LOCK_ID = 0x64726166_74726F6F & 0x7FFFFFFFFFFFFFFF


def sqlite_url(path: str | Path) -> str:
    """The SQLAlchemy URL of a SQLite file (made absolute so the cwd never matters)."""
    return f"sqlite+pysqlite:///{Path(path).resolve()}"


def _configure_sqlite(lock_timeout: float) -> Callable[[Any, Any], None]:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            # busy_timeout first: switching to WAL needs a lock another process may hold.
            cursor.execute(f"PRAGMA busy_timeout={round(lock_timeout * 1000)}")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    return configure


def _sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for in-memory and ``file:`` URI databases."""
    path = make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path)


def _private_sqlite_file(database: Path) -> None:
    """Create the SQLite file mode 0600 before SQLite does (it would use the umask, often
    0644): it holds key hashes and the audit log. SQLite gives its -wal and -shm files the
    database file's mode; existing files (and the writer queue's lock file) are narrowed to
    0600 too."""
    if not database.parent.is_dir():
        return  # SQLite will refuse to open it, with its own message
    # O_EXCL: never open (and close) a file this process may already use: closing any
    # descriptor of it drops SQLite's POSIX locks held through the others.
    with contextlib.suppress(FileExistsError):
        os.close(os.open(database, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    siblings = (f"{database}-wal", f"{database}-shm", f"{database}.writer")
    for name in (database, *map(Path, siblings)):
        # missing, or another user's file (SQLite decides whether it can use it)
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if name.stat().st_mode & 0o077:
                name.chmod(0o600)


class Database:
    """One engine plus the sessions and migrations that use it; build one per process.

    ``lock_timeout``: how long a SQLite writer waits for the write lock (its turn in the
    writer queue, then SQLite's busy_timeout) before "database is locked"."""

    def __init__(self, url: str, *, lock_timeout: float = 10.0, **engine_kwargs: Any) -> None:
        if url.startswith("sqlite"):
            connect_args = dict(engine_kwargs.pop("connect_args", {}))
            # Sessions hop between threads (FastAPI's thread pool); pooling keeps them apart.
            connect_args.setdefault("check_same_thread", False)
            if (database := _sqlite_file(url)) is not None:
                _private_sqlite_file(database)
                connect_args["factory"] = QueuedConnection
                connect_args["writer_queue"] = writer_queue(database)
                connect_args["writer_timeout"] = lock_timeout
            engine_kwargs["connect_args"] = connect_args
        self.engine: Engine = create_engine(url, **engine_kwargs)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _configure_sqlite(lock_timeout))
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.branch_locks: AdvisoryBranchLocks | None = None
        """Per-branch writer locks across nodes on PostgreSQL; None on SQLite (file locks)."""
        if self.engine.dialect.name == "postgresql":
            self.branch_locks = AdvisoryBranchLocks(
                self.engine.url.render_as_string(hide_password=False)
            )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits when the block ends, rolls back if it raises."""
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def new_session(self) -> Session:
        """A session its caller commits and closes: one per tool call (``Call.session``), so
        a call's checks and its audit row share one connection and one commit."""
        return self._sessions()

    def migrate(self) -> None:
        """Bring the schema to the newest migration; a no-op when it is already there."""
        with self.engine.connect() as connection:
            _lock_for_migration(connection)
            config = Config()
            config.set_main_option("script_location", str(_MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()

    def dispose(self) -> None:
        """Close pooled connections (tests, shutdown)."""
        self.engine.dispose()
        if self.branch_locks is not None:
            self.branch_locks.dispose()


def _lock_for_migration(connection: Connection) -> None:
    """Hold a database-wide lock until the migration's transaction ends.

    Two processes migrating at once would both see an empty schema and both create it;
    the second one now waits, then finds the schema at head and does nothing.
    """
    if connection.dialect.name == "sqlite":
        # Takes SQLite's write lock now; a rival waits out busy_timeout instead of racing.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
