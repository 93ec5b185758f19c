"""A real app per test with safety settings of the test's choosing, and sandbox helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from draftroom.adapters.http import create_app
from draftroom.config import Settings
from draftroom.domain.calls import Services
from draftroom.domain.repos import setup_default
from tests.adapters.conftest import Api, new_key

REPO = "demo"
AppFactory = Callable[..., tuple[Api, Services]]


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


def start(api: Api) -> dict[str, str]:
    out = api.post("/sandbox/init", expect=201, repo_name=REPO, mode="branch")
    return {"repo_name": REPO, "branch": out["branch"], "reuse_token": out["reuse_token"]}


def error(body: dict[str, Any]) -> dict[str, Any]:
    err: dict[str, Any] = body["error"]
    return err
