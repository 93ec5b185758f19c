"""Helpers for the undo and merge tests: sandboxes over HTTP, trees straight from the engine."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from draftroom.domain.calls import Services
from draftroom.git import Repository
from tests.adapters.conftest import Api, new_key

REPO = "demo"


def start(api: Api) -> dict[str, str]:
    out = api.post("/sandbox/init", expect=201, repo_name=REPO, mode="branch")
    return {"repo_name": REPO, "branch": out["branch"], "reuse_token": out["reuse_token"]}


def git(services: Services) -> Repository:
    return services.git(services.settings.repos_dir / f"{REPO}.git")


def files(services: Services, ref: str, *, logs: bool = False) -> dict[str, str]:
    """path -> blob oid of every file at ``ref``; ``.logs/`` left out unless asked for."""
    entries = git(services).list_tree(ref, recursive=True, limit=1000).entries
    return {
        e.path: e.oid
        for e in entries
        if e.type != "dir" and (logs or not e.path.startswith(".logs/"))
    }


def logs(services: Services, ref: str) -> dict[str, str]:
    return {p: oid for p, oid in files(services, ref, logs=True).items() if p.startswith(".logs/")}


def write(api: Api, sb: dict[str, str], path: str, content: str) -> str:
    out = api.post("/files/write", **sb, path=path, content=content, message=f"Write {path}")
    sha: str = out["commit_sha"]
    return sha


class AdminApi(Api):
    """An ``Api`` speaking as an admin key, with GET for the admin routes."""

    def __init__(self, client: TestClient, services: Services) -> None:
        key = new_key(services, "admin")
        super().__init__(client, key)
        self.key_id = key.split("_")[1]

    def get(self, route: str, expect: int = 200, **params: Any) -> dict[str, Any]:
        response = self.client.get(route, params=params, headers=self.headers)
        assert response.status_code == expect, response.text
        data: dict[str, Any] = response.json()
        return data
