"""The upstream admin routes over HTTP against a real git server: sync, resolve (main too) and
the credential list. Agent keys get 403; no route ever returns a secret."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.domain.calls import Services
from draftroom.domain.upstream import fetch_main
from draftroom.git import Repository
from tests.support.api import AdminApi, Api, new_key, start_sandbox
from tests.support.gitserver import GitServer, log
from tests.support.upstream import (
    REPO,
    TOKEN,
    advance_upstream_main,
    diverge_main,
    mirrored,
    repository_id,
    status,
    write,
)

ROUTES = {
    "sync": f"/admin/repos/{REPO}/sync",
    "resolve": f"/admin/repos/{REPO}/resolve",
}


@pytest.fixture
def quiet(tmp_path: Path, git_server: GitServer) -> Services:
    """Mirrored services with no background worker: only these calls push and fetch."""
    return mirrored(tmp_path / "data", git_server, upstream_worker=False)


@pytest.fixture
def http(quiet: Services) -> Iterator[TestClient]:
    with TestClient(create_app(quiet.settings, quiet)) as client:
        yield client


@pytest.fixture
def admin(http: TestClient, quiet: Services) -> AdminApi:
    return AdminApi(http, quiet)


@pytest.fixture
def agent(http: TestClient, quiet: Services) -> Api:
    return Api(http, new_key(quiet))


def local_main(services: Services) -> str:
    return log(services.settings.repos_dir / f"{REPO}.git", "main")[0]


def audit(services: Services, tool: str) -> list[store.AuditEvent]:
    with services.database.session() as session:
        query = select(store.AuditEvent).where(store.AuditEvent.tool == tool)
        return list(session.scalars(query).all())


def test_sync_pushes_every_queued_branch_and_reports_each(
    admin: AdminApi, agent: Api, quiet: Services, git_server: GitServer
) -> None:
    sandbox = start_sandbox(agent, REPO)
    head = write(agent, sandbox, 1)
    assert log(git_server.path(REPO), sandbox["branch"]) == []  # no worker: still queued
    agent.post(ROUTES["sync"], expect=403)

    out = admin.post(ROUTES["sync"])

    assert out["repo_name"] == REPO
    assert out["main"] == {"state": "synced", "sha": local_main(quiet), "error": None}
    assert out["branches"] == [
        {"branch": sandbox["branch"], "state": "synced", "sha": head, "error": None}
    ]
    assert (out["pushed"], out["failed"]) == (1, 0)
    assert log(git_server.path(REPO), sandbox["branch"])[0] == head
    assert admin.post(ROUTES["sync"])["branches"] == []  # nothing left to push


def test_sync_reports_an_outage_per_branch_without_failing_the_call(
    admin: AdminApi, agent: Api, git_server: GitServer
) -> None:
    sandbox = start_sandbox(agent, REPO)
    write(agent, sandbox, 1)
    git_server.stop()
    out = admin.post(ROUTES["sync"])
    assert out["main"]["error"] and "127.0.0.1" in out["main"]["error"]
    assert [(b["branch"], b["state"]) for b in out["branches"]] == [(sandbox["branch"], "failed")]
    assert (out["pushed"], out["failed"]) == (0, 1)
    assert TOKEN not in str(out)


def test_sync_of_a_repository_without_upstream_is_404(admin: AdminApi) -> None:
    error = admin.post("/admin/repos/demo/sync", expect=404)["error"]
    assert error["code"] == "repo_not_found"


def test_a_diverged_main_shows_in_status_and_adopting_theirs_moves_it(
    tmp_path: Path, admin: AdminApi, agent: Api, quiet: Services, git_server: GitServer
) -> None:
    ours, theirs = diverge_main(quiet, git_server, tmp_path)
    sandbox = start_sandbox(agent, REPO)
    seen = status(agent, sandbox)
    assert seen["main_upstream"] == "diverged"
    assert f"draftroom repo resolve {REPO} main" in seen["main_upstream_error"]
    agent.post(ROUTES["resolve"], expect=403, branch="main", keep="theirs")

    out = admin.post(ROUTES["resolve"], branch="main", keep="theirs")

    assert out == {
        "repo_name": REPO,
        "branch": "main",
        "keep": "theirs",
        "head": theirs,
        "replaced": ours,
        "replaced_ref": "refs/draftroom/replaced/main",
    }
    assert local_main(quiet) == theirs == log(git_server.path(REPO), "main")[0]
    assert log(quiet.settings.repos_dir / f"{REPO}.git", "refs/draftroom/replaced/main")[0] == ours
    after = status(agent, sandbox)
    assert (after["main_upstream"], after["main_upstream_error"]) == ("synced", None)
    assert after["behind"] == 1  # the sandbox started from our main; theirs is new to it
    assert fetch_main(quiet, repository_id(quiet)).main_state == "synced"


def test_forcing_ours_on_main_overwrites_the_upstream_and_is_audited(
    tmp_path: Path, admin: AdminApi, quiet: Services, git_server: GitServer
) -> None:
    ours, theirs = diverge_main(quiet, git_server, tmp_path)

    out = admin.post(ROUTES["resolve"], branch="main", keep="ours")

    assert (out["head"], out["replaced"]) == (ours, theirs)
    assert log(git_server.path(REPO), "main")[0] == ours == local_main(quiet)
    assert log(quiet.settings.repos_dir / f"{REPO}.git", "refs/draftroom/replaced/main")[0] == (
        theirs
    )
    [call] = audit(quiet, "admin.repos.resolve")
    assert (call.api_key_id, call.branch, call.commit_sha) == (admin.key_id, "main", ours)
    assert call.detail is not None
    assert (call.detail["choice"], call.detail["replaced"]) == ("force_ours", theirs)
    assert audit(quiet, "repo.resolve") == []  # the one row is the tool call's
    assert fetch_main(quiet, repository_id(quiet)).main_state == "synced"


def test_a_forced_push_never_overwrites_a_commit_it_has_not_seen(
    tmp_path: Path,
    admin: AdminApi,
    quiet: Services,
    git_server: GitServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ours, _ = diverge_main(quiet, git_server, tmp_path)
    real_fetch = Repository.fetch
    later: list[str] = []

    def fetch_then_someone_pushes(repo: Repository, *args: Any, **kwargs: Any) -> None:
        real_fetch(repo, *args, **kwargs)
        later.append(advance_upstream_main(git_server, tmp_path / "other", "pushed meanwhile\n"))

    monkeypatch.setattr(Repository, "fetch", fetch_then_someone_pushes)
    error = admin.post(ROUTES["resolve"], expect=409, branch="main", keep="ours")["error"]

    assert "moved again" in error["message"]
    assert log(git_server.path(REPO), "main")[0] == later[0]
    assert local_main(quiet) == ours


def test_resolving_what_is_not_diverged_is_409_and_changes_nothing(
    admin: AdminApi, agent: Api, quiet: Services, git_server: GitServer
) -> None:
    sandbox = start_sandbox(agent, REPO)
    before = local_main(quiet)
    for branch in ("main", sandbox["branch"], "no-such-branch"):
        error = admin.post(ROUTES["resolve"], expect=409, branch=branch, keep="ours")["error"]
        assert error["code"] == "conflict" and "not diverged" in error["message"]
    bad = admin.post(ROUTES["resolve"], expect=422, branch="main", keep="mine")
    assert bad["error"]["code"] == "invalid_request"
    assert local_main(quiet) == before == log(git_server.path(REPO), "main")[0]


def test_the_credential_list_names_credentials_and_never_their_secrets(
    admin: AdminApi, agent: Api
) -> None:
    out = admin.get("/admin/credentials")
    [credential] = out["credentials"]
    assert (credential["name"], credential["kind"], credential["used_by"]) == (
        "loopback",
        "token",
        [REPO],
    )
    assert credential["created_at"]
    assert set(credential) == {"name", "kind", "host", "created_at", "used_by"}
    assert credential["host"] == "127.0.0.1"  # bound by the first repository added with it
    assert TOKEN not in str(out)
    response = agent.client.get("/admin/credentials", headers=agent.headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"


def test_credentials_are_added_and_removed_over_http_and_never_echoed(
    admin: AdminApi, agent: Api, quiet: Services
) -> None:
    secret = "ghp_added_over_http_not_for_anyone"
    added = admin.post("/admin/credentials", expect=201, name="spare", token=secret)
    assert added == {"name": "spare", "kind": "token", "created": True}
    agent.post("/admin/credentials", expect=403, name="other", token=secret)
    listed = admin.get("/admin/credentials")["credentials"]
    assert [c["name"] for c in listed] == ["loopback", "spare"]
    refused = admin.post("/admin/credentials/loopback/remove", expect=409)["error"]
    assert refused["code"] == "conflict" and REPO in refused["message"]
    assert admin.post("/admin/credentials/spare/remove") == {"name": "spare", "removed": True}
    admin.post("/admin/credentials/spare/remove", expect=404)

    def codes(tool: str) -> list[str | None]:
        return [r.error_code for r in sorted(audit(quiet, tool), key=lambda r: r.id)]

    assert codes("admin.credentials.add") == [None, "insufficient_scope"]
    assert codes("admin.credentials.remove") == ["conflict", None, "not_found"]
    rows = audit(quiet, "admin.credentials.add")
    assert secret not in repr([(r.detail, r.error_code) for r in rows])


def test_an_admin_key_creates_a_key_that_works_once_shown(
    admin: AdminApi, agent: Api, http: TestClient, quiet: Services
) -> None:
    created = admin.post("/admin/keys", expect=201, role="agent", label="gpt")
    assert (created["role"], created["label"], created["created"]) == ("agent", "gpt", True)
    assert created["key"].split("_")[1] == created["id"]
    agent.post("/admin/keys", expect=403)
    fresh = Api(http, created["key"])
    assert fresh.post("/sandbox/init", expect=201, repo_name=REPO)["created"] is True
    [row] = [r for r in audit(quiet, "admin.keys.create") if r.outcome == "ok"]
    assert row.detail is not None and row.detail["transport"] == "http"
    assert (row.detail["key_id"], row.detail["role"]) == (created["id"], "agent")
    assert created["key"] not in repr(row.detail)
