"""A real app over a real SQLite database and a real bare repository, per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from mcp.client.stdio import get_default_environment

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.config import Settings
from draftroom.domain.access import issue_api_key
from draftroom.domain.calls import Services
from draftroom.domain.repos import setup_default


@pytest.fixture
def services(tmp_path: Path) -> Services:
    settings = Settings(data_dir=tmp_path / "data", public_url="https://draftroom.example")
    services = Services(settings)
    setup_default(services)
    return services


def new_key(services: Services, role: str = "agent") -> str:
    with services.database.session() as session:
        org = store.get_or_create_org(session, services.settings.org)
        _, plaintext = issue_api_key(session, org.id, role)
    return plaintext


class Api:
    """A test client that speaks as one API key and returns parsed JSON."""

    def __init__(self, client: TestClient, key: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}

    def post(self, route: str, expect: int = 200, **body: Any) -> dict[str, Any]:
        response = self.client.post(route, json=body, headers=self.headers)
        assert response.status_code == expect, response.text
        data: dict[str, Any] = response.json()
        return data


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services.settings, services)) as client:
        yield client


@pytest.fixture
def api(client: TestClient, services: Services) -> Api:
    return Api(client, new_key(services))


def stdio_env() -> dict[str, str]:
    """The MCP SDK's safe environment for a stdio server, plus ``PYTHONPATH`` when set, so
    the server runs the same ``draftroom`` as the test (e.g. from a git worktree)."""
    env = get_default_environment()
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return env
