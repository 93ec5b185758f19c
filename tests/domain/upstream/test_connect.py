"""``POST /admin/repos``: an admin registers an upstream clone over HTTP; agents cannot."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.domain.calls import Services
from draftroom.domain.repos import setup_default
from draftroom.domain.upstream import add_token_credential
from tests.support.api import Api, new_key
from tests.support.gitserver import GitServer, log
from tests.support.upstream import REPO, TOKEN, make_settings


def test_an_admin_adds_an_upstream_repository_over_http(
    tmp_path: Path, git_server: GitServer
) -> None:
    services = Services(make_settings(tmp_path / "data", upstream_worker=False))
    setup_default(services)
    with services.database.session() as session:
        org = store.get_or_create_org(session, services.settings.org)
        add_token_credential(services.settings, session, org.id, "gh", TOKEN)
    body = {"name": REPO, "upstream_url": git_server.url(REPO), "credential": "gh"}
    with TestClient(create_app(services.settings, services)) as client:
        Api(client, new_key(services)).post("/admin/repos", expect=403, **body)
        added = Api(client, new_key(services, "admin")).post("/admin/repos", expect=201, **body)
        again = Api(client, new_key(services, "admin")).post("/admin/repos", expect=409, **body)
    assert added == {
        "name": REPO,
        "upstream_url": git_server.url(REPO),
        "main_branch": "main",
        "publish": "push",
        "created": True,
    }
    assert TOKEN not in str(added) and again["error"]["code"] == "already_exists"
    local = services.settings.repos_dir / f"{REPO}.git"
    assert log(local, "main") == log(git_server.path(REPO), "main")
