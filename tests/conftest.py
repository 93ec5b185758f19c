"""Fixtures shared by the whole suite: a database URL per backend and a migrated Database.

PostgreSQL tests run whenever the server is reachable; with ``DRAFTROOM_REQUIRE_SERVICES=1``
(CI) an unreachable server fails them instead of skipping. Each PostgreSQL test gets its own
schema, so tests stay isolated under pytest-xdist.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from draftroom.store import Database, sqlite_url

POSTGRES_URL = os.environ.get(
    "DRAFTROOM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@cache
def _postgres_unreachable_reason() -> str | None:
    """None when PostgreSQL answers, else why not (checked once per worker)."""
    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {type(exc).__name__}"
    finally:
        engine.dispose()
    return None


def _require_postgres() -> None:
    reason = _postgres_unreachable_reason()
    if reason is None:
        return
    if os.environ.get("DRAFTROOM_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (DRAFTROOM_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    """A URL whose connections see only a fresh, empty schema, dropped afterwards."""
    _require_postgres()
    schema = f"t_{uuid.uuid4().hex}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(POSTGRES_URL)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend: a SQLite file, or a private PostgreSQL schema."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "draftroom.db")
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A migrated Database on each backend."""
    db = Database(database_url)
    db.migrate()
    try:
        yield db
    finally:
        db.dispose()
