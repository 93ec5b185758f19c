"""Publishing approved merges: push main to the loopback git server, or open a pull request.

Pull requests go to a FAKE GitHub API (a local HTTP server answering as api.github.com's
documented endpoints do); the git objects go to the real loopback git server, which accepts
the installation token the fake issued, as GitHub would.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.domain.calls import Services
from draftroom.domain.repos import setup_default
from draftroom.domain.upstream import (
    add_github_app_credential,
    add_upstream_repository,
    fetch_main,
)
from tests.support.api import Api, new_key, start_sandbox
from tests.support.gitserver import GitServer, commit_all, log, run_git
from tests.support.upstream import REPO, make_settings, mirrored, new_app, repository_id, write


class FakeGitHubServer:
    """A FAKE api.github.com on loopback: records requests, issues tokens the git server takes."""

    def __init__(self, git_server: GitServer) -> None:
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                fake.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": body,
                    }
                )
                if self.path.startswith("/app/installations/"):
                    token = f"ghs_installation_{len(fake.requests)}"
                    git_server.tokens.add(token)
                    expires = (datetime.now(UTC) + timedelta(hours=1)).strftime(
                        "%Y-%m-%dT%H:%M:%SZ"
                    )
                    self._json(201, {"token": token, "expires_at": expires})
                elif self.path.endswith("/pulls"):
                    self._json(201, {"number": 9, "html_url": "https://github.com/x/team/pull/9"})
                else:
                    self._json(404, {"message": "Not Found"})

            def _json(self, status: int, data: dict[str, Any]) -> None:
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def github(git_server: GitServer) -> Iterator[FakeGitHubServer]:
    fake = FakeGitHubServer(git_server)
    yield fake
    fake.close()


def approve_merge(
    api: Api, admin: Api, sandbox: dict[str, str], strategy: str = "squash"
) -> dict[str, Any]:
    """Approve over the admin API; the approval publishes, and says where."""
    request = api.post("/merge/request", expect=201, **sandbox, title="Add notes")
    approved = admin.post(f"/admin/merge_requests/{request['id']}/approve", strategy=strategy)
    published: dict[str, Any] = approved["preview"]["published"]
    shown = admin.client.get(f"/admin/merge_requests/{request['id']}", headers=admin.headers)
    assert shown.json()["preview"]["published"] == published
    return published


def test_push_mode_publishes_the_approved_main(tmp_path: Path, git_server: GitServer) -> None:
    services = mirrored(tmp_path / "data", git_server, upstream_worker=False)
    with TestClient(create_app(services.settings, services)) as client:
        api, admin = Api(client, new_key(services)), Api(client, new_key(services, "admin"))
        sandbox = start_sandbox(api, REPO)
        write(api, sandbox, 1)
        before = log(git_server.path(REPO), "main")
        result = approve_merge(api, admin, sandbox)

    local_main = log(services.settings.repos_dir / f"{REPO}.git", "main")
    assert (result["mode"], result["state"], result["sha"]) == ("push", "pushed", local_main[0])
    assert log(git_server.path(REPO), "main") == local_main != before


def test_pull_request_mode_pushes_the_branch_and_opens_a_pull_request(
    tmp_path: Path, git_server: GitServer, github: FakeGitHubServer
) -> None:
    services = Services(make_settings(tmp_path / "data", upstream_worker=False))
    setup_default(services)
    app, _ = new_app(installation_id="42")
    with services.database.session() as session:
        org = store.get_or_create_org(session, services.settings.org)
        add_github_app_credential(
            services.settings, session, org.id, "app", app.app_id, app.private_key, "42"
        )
        add_upstream_repository(
            services,
            session,
            org.id,
            REPO,
            git_server.url(REPO),
            credential="app",
            publish="pull_request",
            github_api_url=github.url,
        )
    upstream_main = log(git_server.path(REPO), "main")
    with TestClient(create_app(services.settings, services)) as client:
        api, admin = Api(client, new_key(services)), Api(client, new_key(services, "admin"))
        sandbox = start_sandbox(api, REPO)
        head = write(api, sandbox, 1)
        result = approve_merge(api, admin, sandbox)

    assert result["pull_request_url"] == "https://github.com/x/team/pull/9"
    assert log(git_server.path(REPO), sandbox["branch"])[0] == head
    assert log(git_server.path(REPO), "main") == upstream_main  # the PR decides
    exchange = github.requests[0]
    assert (exchange["method"], exchange["path"]) == ("POST", "/app/installations/42/access_tokens")
    assert exchange["headers"]["Authorization"].startswith("Bearer ")
    pull = github.requests[-1]
    assert (pull["method"], pull["path"]) == ("POST", "/repos/x/team/pulls")
    assert pull["headers"]["Authorization"].startswith("token ghs_installation_")
    assert pull["headers"]["Accept"] == "application/vnd.github+json"
    assert pull["body"]["head"] == sandbox["branch"]
    assert pull["body"]["base"] == "main"
    assert pull["body"]["title"] == "Add notes"
    with services.database.session() as session:
        entry = store.get_outbox_entry(session, repository_id(services), sandbox["branch"])
        assert entry is not None and entry.pull_request_url == result["pull_request_url"]


def test_a_sandbox_commit_never_queues_main(api: Api, services: Services) -> None:
    sandbox = start_sandbox(api, REPO)
    api.post(
        "/files/write",
        expect=403,
        **{**sandbox, "branch": "main"},
        path="x.md",
        content="x",
        message="x",
    )
    write(api, sandbox, 1)
    with services.database.session() as session:
        branches = [e.branch for e in store.list_outbox(session, repository_id(services))]
    assert branches == [sandbox["branch"]]


def test_a_pull_request_merged_on_github_brings_main_back_in_step(
    tmp_path: Path, git_server: GitServer, github: FakeGitHubServer
) -> None:
    services = mirrored(
        tmp_path / "data",
        git_server,
        publish="pull_request",
        github_api_url=github.url,
        upstream_worker=False,
    )
    work = tmp_path / "github"
    with TestClient(create_app(services.settings, services)) as client:
        api, admin = Api(client, new_key(services)), Api(client, new_key(services, "admin"))
        sandbox = start_sandbox(api, REPO)
        write(api, sandbox, 1)
        run_git("clone", "-q", str(git_server.path(REPO)), str(work))
        (work / "meanwhile.md").write_text("main moved on\n")
        commit_all(work, "Meanwhile on main")
        run_git("push", "-q", "origin", "main", cwd=work)
        fetch_main(services, repository_id(services))
        published = approve_merge(api, admin, sandbox, "merge")  # main had moved
        assert published["pull_request_url"]
        ours = log(services.settings.repos_dir / f"{REPO}.git", "main")[0]
        merge = run_git(
            "--git-dir",
            str(services.settings.repos_dir / f"{REPO}.git"),
            "rev-list",
            "--parents",
            "-n1",
            ours,
        )
        assert len(merge.split()) == 3  # a real merge commit, not a fast-forward

    run_git("fetch", "-q", "origin", cwd=work)  # GitHub merges the pull request its own way
    run_git(
        "-c", "user.name=GitHub", "-c", "user.email=noreply@github.com",
        "merge", "-q", "--no-ff", "-m", "Merge pull request #9", f"origin/{sandbox['branch']}",
        cwd=work,
    )  # fmt: skip
    run_git("push", "-q", "origin", "main", cwd=work)

    outcome = fetch_main(services, repository_id(services))

    local = services.settings.repos_dir / f"{REPO}.git"
    assert (outcome.main_state, outcome.error) == ("synced", None)
    assert log(local, "main") == log(git_server.path(REPO), "main")
    assert log(local, "refs/draftroom/replaced/main")[0] == ours
