"""Draftroom services whose repository ``team`` mirrors the loopback git server, and what the
upstream tests do to both sides."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from draftroom import store
from draftroom.config import Settings
from draftroom.domain.calls.services import Services
from draftroom.domain.repos.setup import setup_default
from draftroom.domain.upstream import add_token_credential, add_upstream_repository, fetch_main
from draftroom.domain.upstream.credentials import GitHubApp
from tests.support.api import Api
from tests.support.gitserver import GitServer, commit_all, log, run_git

REPO = "team"
TOKEN = "ghp_loopback"


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "secret_key": "a long test secret that is not a real one",
        "upstream_poll_seconds": 0.05,
        "upstream_retry_seconds": 0.05,
        "upstream_retry_max_seconds": 0.2,
        "upstream_fetch_seconds": 3600,
        "upstream_timeout_seconds": 5,
        "allow_private_urls": True,  # the git server and fake GitHub listen on loopback
        "github_hosts": "127.0.0.1",
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


def repository_id(services: Services) -> int:
    with services.database.session() as session:
        org = store.get_or_create_org(session, services.settings.org)
        record = store.get_repository(session, org.id, REPO)
        assert record is not None
        return record.id


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def write(api: Api, sandbox: dict[str, str], n: int) -> str:
    out = api.post(
        "/files/write", **sandbox, path=f"notes/{n}.md", content=f"note {n}\n", message=f"Note {n}"
    )
    sha: str = out["commit_sha"]
    return sha


def status(api: Api, sandbox: dict[str, str]) -> dict[str, Any]:
    return api.post("/sandbox/status", **sandbox)


def advance_upstream_main(server: GitServer, work: Path, text: str) -> str:
    if not work.exists():
        run_git("clone", "-q", "-b", "main", str(server.path(REPO)), str(work))
    else:
        run_git("pull", "-q", "origin", "main", cwd=work)
    (work / "upstream.md").write_text(text)
    commit_all(work, f"Upstream: {text.strip()}")
    run_git("push", "-q", "origin", "main", cwd=work)
    return log(server.path(REPO), "main")[0]


def diverge_main(services: Services, server: GitServer, tmp_path: Path) -> tuple[str, str]:
    """Local main holds a commit the upstream dropped, the upstream one ours lacks: (ours, theirs)."""
    ours = advance_upstream_main(server, tmp_path / "work", "merged here\n")
    fetch_main(services, repository_id(services))
    run_git("--git-dir", str(server.path(REPO)), "update-ref", "refs/heads/main", ours + "~1")
    theirs = advance_upstream_main(server, tmp_path / "other", "merged there\n")
    assert fetch_main(services, repository_id(services)).main_state == "diverged"
    return ours, theirs


def new_app(installation_id: str | None = "42") -> tuple[GitHubApp, rsa.RSAPublicKey]:
    """A GitHub App credential with a fresh key, and the public half to check its JWTs."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return GitHubApp("1234", pem, installation_id), key.public_key()
