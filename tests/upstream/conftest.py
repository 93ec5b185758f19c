"""Fixtures: a loopback git server, and draftroom services whose repository mirrors it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.config import Settings
from draftroom.domain.calls import Services
from draftroom.domain.repos import setup_default
from draftroom.domain.upstream import add_token_credential, add_upstream_repository
from tests.adapters.conftest import Api, new_key
from tests.upstream.gitserver import GitServer

REPO = "team"
TOKEN = "ghp_loopback"


@pytest.fixture
def git_server(tmp_path: Path) -> Iterator[GitServer]:
    root = tmp_path / "upstream"
    root.mkdir()
    server = GitServer(root)
    server.start()
    server.create(REPO)
    yield server
    if server._httpd is not None:
        server.stop()


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "secret_key": "a long test secret that is not a real one",
        "upstream_poll_seconds": 0.05,
        "upstream_retry_seconds": 0.05,
        "upstream_retry_max_seconds": 0.2,
        "upstream_fetch_seconds": 3600,
        "upstream_timeout_seconds": 5,
        **overrides,
    }
    return Settings(**values)


def mirrored(
    data_dir: Path, server: GitServer, *, publish: str = "push", **overrides: Any
) -> Services:
    """Services whose repository ``team`` is a clone of the loopback upstream."""
    services = Services(make_settings(data_dir, **overrides))
    setup_default(services)
    with services.database.session() as session:
        org = store.get_or_create_org(session, services.settings.org)
        add_token_credential(services.settings, session, org.id, "loopback", TOKEN)
        add_upstream_repository(
            services,
            session,
            org.id,
            REPO,
            server.url(REPO),
            credential="loopback",
            publish=publish,
            github_api_url=overrides.get("github_api_url"),
        )
    return services


@pytest.fixture
def services(tmp_path: Path, git_server: GitServer) -> Services:
    return mirrored(tmp_path / "data", git_server)


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services.settings, services)) as client:
        yield client


@pytest.fixture
def api(client: TestClient, services: Services) -> Api:
    return Api(client, new_key(services))


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def start_sandbox(api: Api) -> dict[str, str]:
    out = api.post("/sandbox/init", expect=201, repo_name=REPO, mode="branch")
    return {"repo_name": REPO, "branch": out["branch"], "reuse_token": out["reuse_token"]}


def write(api: Api, sandbox: dict[str, str], n: int) -> str:
    out = api.post(
        "/files/write", **sandbox, path=f"notes/{n}.md", content=f"note {n}\n", message=f"Note {n}"
    )
    sha: str = out["commit_sha"]
    return sha


def status(api: Api, sandbox: dict[str, str]) -> dict[str, Any]:
    return api.post("/sandbox/status", **sandbox)
