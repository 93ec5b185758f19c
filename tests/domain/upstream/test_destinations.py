"""An upstream credential reaches only the host it was stored for, and no upstream, GitHub API
root or redirect reaches this server's disk or private network unless
``DRAFTROOM_ALLOW_PRIVATE_URLS`` says so. A listener on loopback proves nothing was sent."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.config import Settings, check_outbound_url
from draftroom.domain.calls import Services
from draftroom.domain.repos import setup_default
from draftroom.domain.upstream import add_github_app_credential, sync_repository
from draftroom.errors import InvalidInput
from tests.support.api import Api, new_key
from tests.support.gitserver import GitServer
from tests.support.upstream import REPO, TOKEN, make_settings, mirrored, new_app


class Listener:
    """Answers every request 401 asking for Basic auth, and keeps what it was sent."""

    def __init__(self) -> None:
        self.headers: list[dict[str, str]] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                listener.headers.append(dict(self.headers))
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="git"')
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_GET

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


def admin_api(tmp_path: Path, **overrides: Any) -> tuple[Services, dict[str, str]]:
    services = Services(make_settings(tmp_path / "data", upstream_worker=False, **overrides))
    setup_default(services)
    return services, {"Authorization": f"Bearer {new_key(services, 'admin')}"}


def add_repo(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post("/admin/repos", json={"name": REPO, **body}, headers=headers)
    assert response.status_code == 400, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == "invalid_input" and TOKEN not in response.text
    return error


def store_token(client: TestClient, headers: dict[str, str], **body: Any) -> None:
    body = {"name": "gh", "token": TOKEN, **body}
    response = client.post("/admin/credentials", json=body, headers=headers)
    assert response.status_code == 201, response.text


def test_private_and_local_targets_are_refused_and_receive_nothing(
    tmp_path: Path, listener: Listener
) -> None:
    services, headers = admin_api(tmp_path, allow_private_urls=False)
    port = listener.port
    refused = {
        f"http://127.0.0.1:{port}/x/team.git": "loopback",
        f"https://localhost:{port}/x/team.git": "loopback",  # a name resolving to 127.0.0.1
        f"http://2130706433:{port}/x/team.git": "loopback",  # 127.0.0.1 as one number
        f"http://[::1]:{port}/x/team.git": "loopback",
        f"http://[::ffff:127.0.0.1]:{port}/x/team.git": "loopback",
        f"ssh://git@127.0.0.1:{port}/x/team.git": "loopback",
        "git@127.0.0.1:x/team.git": "loopback",
        "http://0.0.0.0/x/team.git": "unspecified",
        "http://10.1.2.3/x/team.git": "private",
        "http://192.168.1.1/x/team.git": "private",
        "http://169.254.169.254/latest/meta-data": "link-local",
        f"file://{tmp_path}/other-instance/repos/demo.git": "file://",
    }
    with TestClient(create_app(services.settings, services)) as client:
        store_token(client, headers)
        for url, reason in refused.items():
            error = add_repo(client, headers, upstream_url=url, credential="gh")
            assert reason in error["message"], (url, error)
            assert "DRAFTROOM_ALLOW_PRIVATE_URLS" in error["message"]
        error = add_repo(
            client,
            headers,
            upstream_url="https://github.com/x/team.git",
            credential="gh",
            github_api_url=f"http://127.0.0.1:{port}/api/v3",
        )
        assert "github_api_url" in error["message"] and "loopback" in error["message"]
    assert listener.headers == []
    assert not (services.settings.repos_dir / f"{REPO}.git").exists()


def test_a_token_goes_only_to_the_host_it_was_stored_for(
    tmp_path: Path, listener: Listener
) -> None:
    services, headers = admin_api(tmp_path)  # private targets allowed: only the binding refuses
    with TestClient(create_app(services.settings, services)) as client:
        store_token(client, headers, host="GitHub.com")
        error = add_repo(
            client,
            headers,
            upstream_url=f"http://127.0.0.1:{listener.port}/x/team.git",
            credential="gh",
        )
        assert "stored for 'github.com'" in error["message"]
        error = add_repo(
            client,
            headers,
            upstream_url="https://github.com/x/team.git",
            credential="gh",
            github_api_url=f"http://127.0.0.1:{listener.port}",
        )
        assert "'127.0.0.1'" in error["message"]
        listed = client.get("/admin/credentials", headers=headers).json()["credentials"]
        assert listed[0]["host"] == "github.com"
    assert listener.headers == []


def test_a_token_is_never_sent_in_clear_to_a_public_host(tmp_path: Path) -> None:
    services, headers = admin_api(tmp_path)
    with TestClient(create_app(services.settings, services)) as client:
        store_token(client, headers)
        error = add_repo(
            client, headers, upstream_url="http://93.184.215.14/x/team.git", credential="gh"
        )
    assert "only sent over https" in error["message"]


def test_the_first_repository_binds_an_unbound_token(tmp_path: Path, git_server: GitServer) -> None:
    services = mirrored(tmp_path / "data", git_server, upstream_worker=False)
    with services.database.session() as session:
        org = store.get_or_create_org(session, services.settings.org)
        record = store.get_upstream_credential(session, org.id, "loopback")
        assert record is not None and record.host == "127.0.0.1"
    headers = {"Authorization": f"Bearer {new_key(services, 'admin')}"}
    other = git_server.url(REPO).replace("127.0.0.1", "localhost")  # the same server, by name
    with TestClient(create_app(services.settings, services)) as client:
        body = {"name": "second", "upstream_url": other, "credential": "loopback"}
        response = client.post("/admin/repos", json=body, headers=headers)
    assert response.status_code == 400
    assert "stored for '127.0.0.1'" in response.json()["error"]["message"]


def test_a_github_app_goes_only_to_github_hosts(tmp_path: Path, listener: Listener) -> None:
    services, headers = admin_api(tmp_path, github_hosts="")
    app, _ = new_app()
    with services.database.session() as session:
        org = store.get_or_create_org(session, services.settings.org)
        add_github_app_credential(
            services.settings, session, org.id, "app", app.app_id, app.private_key, "42"
        )
    with TestClient(create_app(services.settings, services)) as client:
        error = add_repo(
            client,
            headers,
            upstream_url=f"http://127.0.0.1:{listener.port}/x/team.git",
            credential="app",
        )
    assert "GitHub App" in error["message"] and "DRAFTROOM_GITHUB_HOSTS" in error["message"]
    assert listener.headers == []


def test_a_stored_upstream_is_checked_again_before_every_push_and_fetch(
    tmp_path: Path, git_server: GitServer
) -> None:
    """Added while private targets were allowed; once they are not, nothing is sent."""
    data = tmp_path / "data"
    mirrored(data, git_server, upstream_worker=False)
    before = git_server.requests
    strict = Services(make_settings(data, upstream_worker=False, allow_private_urls=False))
    with TestClient(create_app(strict.settings, strict)) as client:
        api = Api(client, new_key(strict))
        sandbox = api.post("/sandbox/init", expect=201, repo_name=REPO)
        api.post(
            "/files/write",
            repo_name=REPO,
            reuse_token=sandbox["reuse_token"],
            path="a.md",
            content="a\n",
            message="Add a",
        )
        report = sync_repository(strict, 1, REPO)
    assert report.fetch.error is not None and "loopback" in report.fetch.error
    assert [p.state for p in report.pushes] == ["failed"]
    assert "loopback" in (report.pushes[0].error or "")
    assert git_server.requests == before


def test_the_shared_address_check(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="loopback"):
        check_outbound_url("https://localhost/hook", allow_private=False, what="webhook URL")
    assert check_outbound_url("https://127.0.0.1/hook", allow_private=True).private
    assert not check_outbound_url("https://93.184.215.14/hook", allow_private=False).private
    assert Settings(data_dir=tmp_path, github_hosts="GHE.corp.example, ").github_host_set == {
        "github.com",
        "ghe.corp.example",
    }
