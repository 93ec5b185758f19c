"""Fixtures shared by the whole suite: databases, the app and its clients, a loopback git server.

Where a test lives (one rule): a test of what a capability does sits where its code sits,
``tests/<layer>/[<package>/]test_<module>[_<aspect>].py`` for ``src/draftroom/<layer>/
[<package>/]<module>.py`` (``tests/domain/commits/test_restore.py`` tests
``domain/commits/restore.py``), driving it through its public functions or the in-process app
(``api``), whichever is where a user meets it. Tests that drive the public surface end to end
are the exception: ``tests/adapters/`` holds how each adapter carries calls (HTTP stories, MCP,
CLI, the OpenAPI schema), ``tests/system/`` runs the whole product as processes or at random
(kill -9, many clients, schemathesis). Plain helpers live once in ``tests/support/``; fixtures
live once here, and a directory's conftest only adds what its own tests alone use or overrides
one (``services`` in ``tests/domain/upstream``). Subprocess, multi-process and long-running
tests (over ~3 s) are ``@pytest.mark.slow``: ``./dev test -m "not slow"`` is the fast loop,
``./dev test`` and CI run everything.

PostgreSQL and Redis tests run whenever the server is reachable; with
``DRAFTROOM_REQUIRE_SERVICES=1`` (CI) an unreachable server fails them instead of skipping. Each PostgreSQL test gets its own
schema, so tests stay isolated under pytest-xdist.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from draftroom.adapters.http import create_app
from draftroom.config import Settings
from draftroom.domain.calls.services import Services
from draftroom.domain.repos.setup import setup_default
from draftroom.store import Database, sqlite_url
from tests.support.api import Api, AppFactory, new_key
from tests.support.gitserver import GitServer
from tests.support.nodes import REDIS_URL
from tests.support.upstream import REPO as UPSTREAM_REPO

# Tests serve webhooks and upstreams on loopback; this process and every server or CLI it
# starts may send there. Tests of the refusal pass ``allow_private_urls=False``.
os.environ["DRAFTROOM_ALLOW_PRIVATE_URLS"] = "1"

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


@cache
def _redis_unreachable_reason() -> str | None:
    """None when Redis answers, else why not (checked once per worker)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"Redis not reachable at {REDIS_URL}: {type(exc).__name__}"
    finally:
        client.close()
    return None


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A Redis key prefix of this test's own (``DRAFTROOM_REDIS_KEY_PREFIX``) on the real
    Redis at ``REDIS_URL``; its keys are deleted afterwards. Skips (fails in CI) without Redis."""
    reason = _redis_unreachable_reason()
    if reason is not None:
        if os.environ.get("DRAFTROOM_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{reason} (DRAFTROOM_REQUIRE_SERVICES=1)")
        pytest.skip(reason)
    prefix = f"test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def postgres_database_url() -> Iterator[str]:
    """A URL of a whole new PostgreSQL database (for several server processes), dropped
    afterwards with whatever connections are left."""
    _require_postgres()
    name = f"t_{uuid.uuid4().hex}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(autouse=True)
def _dispose_databases(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Close the pools of every ``Database`` a test opened, once it ends: a PostgreSQL
    connection left to the garbage collector fails whichever later test is running then
    (ResourceWarning), and leaked pools exhaust the server's connections."""
    opened: list[Database] = []
    original = Database.__init__

    def tracked(self: Database, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(Database, "__init__", tracked)
    yield
    for database in opened:
        database.dispose()


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


@pytest.fixture
def services(tmp_path: Path) -> Services:
    """A data dir with the embedded default: org, ``demo`` repository, admin key."""
    settings = Settings(data_dir=tmp_path / "data", public_url="https://draftroom.example")
    services = Services(settings)
    setup_default(services)
    return services


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services.settings, services)) as client:
        yield client


@pytest.fixture
def api(client: TestClient, services: Services) -> Api:
    """The app, spoken to as a new agent key."""
    return Api(client, new_key(services))


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[AppFactory]:
    """Build an app over a fresh data dir; keyword arguments become Settings fields."""
    clients: list[TestClient] = []

    def build(role: str = "agent", **settings: Any) -> tuple[Api, Services]:
        data = tmp_path / f"data{len(clients)}"
        services = Services(
            Settings(data_dir=data, public_url="https://draftroom.example", **settings)
        )
        setup_default(services)
        client = TestClient(create_app(services.settings, services))
        client.__enter__()
        clients.append(client)
        return Api(client, new_key(services, role)), services

    yield build
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def app(make_app: AppFactory) -> tuple[Api, Services]:
    return make_app()


@pytest.fixture
def git_server(tmp_path: Path) -> Iterator[GitServer]:
    """A git server on loopback holding one repository, ``team``."""
    root = tmp_path / "upstream"
    root.mkdir()
    server = GitServer(root)
    server.start()
    server.create(UPSTREAM_REPO)
    yield server
    if server._httpd is not None:
        server.stop()
