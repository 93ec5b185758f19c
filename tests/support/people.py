"""An org with people, on any database: its admin, people added over HTTP, and their keys."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from draftroom.adapters.http import create_app
from draftroom.config import Settings
from draftroom.domain.calls.services import Services
from draftroom.domain.repos.setup import setup_default
from tests.support.api import AdminApi, Api


def services_on(database_url: str, data_dir: Path) -> Services:
    """A data dir with the embedded default (org, ``demo``, admin key) on ``database_url``."""
    settings = Settings(
        data_dir=data_dir, database_url=database_url, public_url="https://draftroom.example"
    )
    services = Services(settings)
    setup_default(services)
    return services


class Caller(Api):
    """An ``Api`` for any key (GET included)."""


class Org:
    """The default org as its admin key sees it: adds people and makes their keys."""

    def __init__(self, client: TestClient, services: Services) -> None:
        self.client, self.services = client, services
        self.admin = AdminApi(client, services)

    def person(self, email: str, role: str, **extra: Any) -> dict[str, Any]:
        return self.admin.post("/admin/users", expect=201, email=email, role=role, **extra)

    def key(self, email: str, role: str | None = None) -> Caller:
        """A new key acting for ``email`` (``role`` agent: sandbox tools only)."""
        created = self.admin.post("/admin/keys", expect=201, user=email, role=role)
        return Caller(self.client, created["key"])

    def member(self, email: str, role: str) -> Caller:
        """A new person with ``role`` and a key acting for them."""
        self.person(email, role)
        return self.key(email)


@contextmanager
def org_on(database_url: str, tmp_path: Path) -> Iterator[Org]:
    services = services_on(database_url, tmp_path / "data")
    try:
        with TestClient(create_app(services.settings, services)) as client:
            yield Org(client, services)
    finally:
        services.database.dispose()
