"""Speaking to the app as one API key: the key, the client wrapper, and starting a sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from draftroom import store
from draftroom.domain.access.tokens import issue_api_key
from draftroom.domain.calls.services import Services

REPO = "demo"


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

    def get(self, route: str, expect: int = 200, **params: Any) -> dict[str, Any]:
        response = self.client.get(route, params=params, headers=self.headers)
        assert response.status_code == expect, response.text
        data: dict[str, Any] = response.json()
        return data


class AdminApi(Api):
    """An ``Api`` speaking as a new admin key (for the admin routes)."""

    def __init__(self, client: TestClient, services: Services) -> None:
        key = new_key(services, "admin")
        super().__init__(client, key)
        self.key_id = key.split("_")[1]


def start_sandbox(api: Api, repo: str = REPO) -> dict[str, str]:
    """A new branch-mode sandbox: the repo_name, branch and reuse_token every sandbox tool takes."""
    out = api.post("/sandbox/init", expect=201, repo_name=repo, mode="branch")
    return {"repo_name": repo, "branch": out["branch"], "reuse_token": out["reuse_token"]}


def start_project(api: Api, **extra: Any) -> dict[str, str]:
    """A new project-mode sandbox named Atlas; keyword arguments go into the init body."""
    out = api.post(
        "/sandbox/init", expect=201, repo_name=REPO, mode="project", project_name="Atlas", **extra
    )
    return {"repo_name": REPO, "branch": out["branch"], "reuse_token": out["reuse_token"]}


def write(api: Api, sb: dict[str, str], path: str, content: str) -> str:
    """Write one file in a sandbox over HTTP; the commit sha."""
    out = api.post("/files/write", **sb, path=path, content=content, message=f"Write {path}")
    sha: str = out["commit_sha"]
    return sha


def error(body: dict[str, Any]) -> dict[str, Any]:
    err: dict[str, Any] = body["error"]
    return err


AppFactory = Callable[..., tuple[Api, Services]]
"""``make_app``: build an app with the given Settings fields; the Api of a new key and services."""
