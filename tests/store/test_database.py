from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from draftroom.store import Base, Database, Org, sqlite_url

TABLES = {"orgs", "repositories", "api_keys", "sandboxes", "reuse_tokens", "audit_events"}


def _revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_migrate_creates_every_table(database: Database) -> None:
    assert set(inspect(database.engine).get_table_names()) >= TABLES
    assert _revision(database) is not None


def test_migrated_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrate_twice_is_a_no_op(database: Database) -> None:
    with database.session() as session:
        session.add(Org(name="acme"))
    revision = _revision(database)
    database.migrate()
    assert _revision(database) == revision
    with database.session() as session:
        assert session.scalars(select(Org.name)).all() == ["acme"]


def test_concurrent_migrations_leave_one_schema(database_url: str) -> None:
    databases = [Database(database_url) for _ in range(4)]
    try:
        with ThreadPoolExecutor(len(databases)) as pool:
            for future in [pool.submit(db.migrate) for db in databases]:
                future.result()
        assert set(inspect(databases[0].engine).get_table_names()) >= TABLES
        with databases[0].engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    finally:
        for db in databases:
            db.dispose()


@pytest.mark.slow
def test_processes_migrating_one_sqlite_file_at_once_all_succeed(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "shared.db")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    script = "import sys; from draftroom.store import Database; Database(sys.argv[1]).migrate()"
    processes = [
        subprocess.Popen([sys.executable, "-c", script, url], env=env, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    failures = [p.stderr.read() for p in processes if p.wait(timeout=60) != 0 and p.stderr]
    for process in processes:
        if process.stderr:
            process.stderr.close()
    assert failures == []
    db = Database(url)
    try:
        assert set(inspect(db.engine).get_table_names()) >= TABLES
        assert _revision(db) is not None
    finally:
        db.dispose()


def test_session_commits_when_the_block_succeeds(database: Database) -> None:
    with database.session() as session:
        session.add(Org(name="kept"))
    with database.session() as session:
        assert session.scalars(select(Org.name)).all() == ["kept"]


def test_session_rolls_back_when_the_block_raises(database: Database) -> None:
    with pytest.raises(RuntimeError), database.session() as session:
        session.add(Org(name="discarded"))
        session.flush()
        raise RuntimeError("boom")
    with database.session() as session:
        assert session.scalars(select(Org)).all() == []


def test_sqlite_connections_get_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    db = Database(sqlite_url(tmp_path / "pragmas.db"))
    try:
        with db.engine.connect() as connection:

            def pragma(name: str) -> object:
                return connection.exec_driver_sql(f"PRAGMA {name}").scalar()

            assert pragma("journal_mode") == "wal"
            assert pragma("busy_timeout") == 10000
            assert pragma("foreign_keys") == 1
            assert pragma("synchronous") == 1  # NORMAL
    finally:
        db.dispose()


def test_sqlite_url_is_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert sqlite_url("data/x.db") == f"sqlite+pysqlite:///{tmp_path.resolve()}/data/x.db"


def test_engine_keyword_arguments_reach_the_engine(tmp_path: Path) -> None:
    db = Database(sqlite_url(tmp_path / "kw.db"), pool_size=2)
    try:
        assert db.engine.pool.size() == 2  # type: ignore[attr-defined]
    finally:
        db.dispose()
