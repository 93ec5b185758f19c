"""Signed webhook deliveries as each forge sends them, computed here (not by draftroom), and
a repository's webhook secret read through the registry as ``draftroom repo webhook`` does."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from draftroom.domain.calls import Services
from draftroom.domain.repos import owner_principal
from draftroom.tools import build_registry
from tests.support.gitserver import GitServer, commit_all, log, run_git
from tests.support.upstream import REPO


def webhook_secret(services: Services, name: str = REPO) -> str:
    """The secret ``draftroom repo webhook NAME`` prints (made on first use)."""
    registry = build_registry()
    tool = registry.get("admin.repos.webhook")
    out = registry.invoke(
        tool, services, owner_principal(services), {"name": name}, transport="cli"
    )
    secret: str = out.model_dump()["secret"]
    return secret


def headers_for(
    forge: str, secret: str, body: bytes, event: str, delivery: str | None = None
) -> dict[str, str]:
    delivery = delivery or str(uuid.uuid4())
    mac = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if forge == "github":
        found = {"X-Hub-Signature-256": f"sha256={mac}", "X-GitHub-Event": event}
        return found | {"X-GitHub-Delivery": delivery}
    if forge == "gitea":
        return {"X-Gitea-Signature": mac, "X-Gitea-Event": event, "X-Gitea-Delivery": delivery}
    hook = {"push": "Push Hook", "pull_request": "Merge Request Hook"}.get(event, event)
    return {"X-Gitlab-Token": secret, "X-Gitlab-Event": hook, "X-Gitlab-Event-UUID": delivery}


def push_payload(
    forge: str, clone_url: str, branch: str, before: str, after: str
) -> dict[str, Any]:
    if forge == "gitlab":
        project = {"git_http_url": clone_url, "path_with_namespace": "x/team"}
        return {
            "object_kind": "push",
            "ref": f"refs/heads/{branch}",
            "before": before,
            "after": after,
            "project": project,
        }
    repository = {
        "clone_url": clone_url,
        "full_name": "x/team",
        "html_url": "https://forge.example/x/team",
    }
    return {
        "ref": f"refs/heads/{branch}",
        "before": before,
        "after": after,
        "repository": repository,
    }


def deliver(
    client: TestClient,
    forge: str,
    secret: str,
    payload: dict[str, Any],
    event: str = "push",
    delivery: str | None = None,
) -> Response:
    body = json.dumps(payload).encode()
    headers = headers_for(forge, secret, body, event, delivery)
    headers["Content-Type"] = "application/json"
    return client.post(f"/webhooks/{forge}", content=body, headers=headers)


def person_pushes_main(
    server: GitServer, work: Path, path: str, text: str, message: str
) -> tuple[str, str]:
    """A person commits ``path`` on the upstream's main and pushes: (before, after)."""
    before = log(server.path(REPO), "main")[0]
    if not work.exists():
        run_git("clone", "-q", "-b", "main", str(server.path(REPO)), str(work))
    else:
        run_git("pull", "-q", "origin", "main", cwd=work)
    target = work / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    commit_all(work, message)
    run_git("push", "-q", "origin", "main", cwd=work)
    return before, log(server.path(REPO), "main")[0]
