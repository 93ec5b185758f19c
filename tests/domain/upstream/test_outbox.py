"""Sandbox commits reach a real git server on loopback, in order, through outages and restarts."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.domain.calls import Services
from draftroom.domain.upstream import resolve_divergence
from tests.support.api import Api, new_key, start_sandbox
from tests.support.gitserver import GitServer, commit_all, log, run_git
from tests.support.upstream import REPO, mirrored, status, wait_for, write


def local_log(services: Services, ref: str) -> list[str]:
    return log(services.settings.repos_dir / f"{REPO}.git", ref)


def upstream_log(server: GitServer, ref: str) -> list[str]:
    return log(server.path(REPO), ref)


def test_commits_show_up_upstream_in_order(
    api: Api, services: Services, git_server: GitServer
) -> None:
    sandbox = start_sandbox(api, REPO)
    shas = [write(api, sandbox, n) for n in range(5)]
    branch = sandbox["branch"]
    wait_for(lambda: status(api, sandbox)["upstream"] == "synced")
    assert upstream_log(git_server, branch) == local_log(services, branch)
    assert upstream_log(git_server, branch)[:5] == shas[::-1]
    assert status(api, sandbox)["upstream_pending"] == 0


def test_outage_and_restart_lose_nothing(tmp_path: Path, git_server: GitServer) -> None:
    services = mirrored(tmp_path / "data", git_server)
    key = new_key(services)
    with TestClient(create_app(services.settings, services)) as client:
        api = Api(client, key)
        sandbox = start_sandbox(api, REPO)
        branch = sandbox["branch"]
        shas = [write(api, sandbox, 0)]
        wait_for(lambda: status(api, sandbox)["upstream"] == "synced")

        git_server.stop()
        shas += [write(api, sandbox, n) for n in range(1, 8)]  # every one answers 200
        wait_for(lambda: status(api, sandbox)["upstream"] == "failed")
        seen = status(api, sandbox)
        assert seen["upstream_pending"] == 7
        assert "127.0.0.1" in seen["upstream_error"]
        assert local_log(services, branch)[:8] == shas[::-1]
        assert upstream_log(git_server, branch)[0] == shas[0]
    services.database.dispose()

    # draftroom restarts (new process state, same data dir) while the upstream is still down
    restarted = Services(services.settings)
    with TestClient(create_app(restarted.settings, restarted)) as client:
        api = Api(client, key)
        shas.append(write(api, sandbox, 8))
        git_server.start()  # back on the same port
        wait_for(lambda: status(api, sandbox)["upstream"] == "synced")
        assert status(api, sandbox)["upstream_pending"] == 0
    assert upstream_log(git_server, branch) == local_log(restarted, branch)
    assert upstream_log(git_server, branch)[:9] == shas[::-1]


def test_direct_push_upstream_is_diverged_and_never_overwritten(
    tmp_path: Path, api: Api, services: Services, git_server: GitServer
) -> None:
    sandbox = start_sandbox(api, REPO)
    branch = sandbox["branch"]
    write(api, sandbox, 0)
    wait_for(lambda: status(api, sandbox)["upstream"] == "synced")

    work = tmp_path / "someone"
    run_git("clone", "-q", "-b", branch, str(git_server.path(REPO)), str(work))
    (work / "theirs.md").write_text("pushed directly\n")
    commit_all(work, "Direct push")
    run_git("push", "-q", "origin", branch, cwd=work)
    theirs = upstream_log(git_server, branch)[0]

    ours = write(api, sandbox, 1)  # still a 200: the local commit never waits on the upstream
    wait_for(lambda: status(api, sandbox)["upstream"] == "diverged")
    seen = status(api, sandbox)
    assert "pushed to it directly" in seen["upstream_error"]
    assert upstream_log(git_server, branch)[0] == theirs
    write(api, sandbox, 2)
    assert status(api, sandbox)["upstream"] == "diverged"
    assert upstream_log(git_server, branch)[0] == theirs  # stopped pushing

    with services.database.session() as session:
        org = store.get_or_create_org(session, services.settings.org)
    resolved = resolve_divergence(services, org.id, REPO, branch, "force_ours")
    assert resolved.replaced == theirs
    wait_for(lambda: status(api, sandbox)["upstream"] == "synced")
    assert upstream_log(git_server, branch) == local_log(services, branch)
    assert ours in upstream_log(git_server, branch)
    assert local_log(services, f"refs/draftroom/replaced/{branch}")[0] == theirs


def test_adopting_theirs_moves_the_sandbox_to_the_upstream_branch(
    tmp_path: Path, api: Api, services: Services, git_server: GitServer
) -> None:
    sandbox = start_sandbox(api, REPO)
    branch = sandbox["branch"]
    write(api, sandbox, 0)
    wait_for(lambda: status(api, sandbox)["upstream"] == "synced")
    work = tmp_path / "someone"
    run_git("clone", "-q", "-b", branch, str(git_server.path(REPO)), str(work))
    (work / "theirs.md").write_text("pushed directly\n")
    commit_all(work, "Direct push")
    run_git("push", "-q", "origin", branch, cwd=work)
    ours = write(api, sandbox, 1)
    wait_for(lambda: status(api, sandbox)["upstream"] == "diverged")

    with services.database.session() as session:
        org = store.get_or_create_org(session, services.settings.org)
    resolve_divergence(services, org.id, REPO, branch, "adopt_theirs")
    assert local_log(services, branch) == upstream_log(git_server, branch)
    assert local_log(services, f"refs/draftroom/replaced/{branch}")[0] == ours
    read = api.post("/files/read", **sandbox, path="theirs.md")
    assert read["content"] == "pushed directly\n"
    write(api, sandbox, 2)
    wait_for(lambda: status(api, sandbox)["upstream"] == "synced")
    assert local_log(services, branch) == upstream_log(git_server, branch)


def test_a_repository_without_upstream_reports_none(api: Api) -> None:
    out = api.post("/sandbox/init", expect=201, repo_name="demo", mode="branch")
    sandbox = {"repo_name": "demo", "reuse_token": out["reuse_token"]}
    seen = status(api, sandbox)
    assert (seen["upstream"], seen["main_upstream"]) == ("none", "none")


def test_wrong_token_fails_without_revealing_it(
    tmp_path: Path, api: Api, services: Services, git_server: GitServer
) -> None:
    git_server.tokens.clear()  # the token was revoked on the server
    sandbox = start_sandbox(api, REPO)
    write(api, sandbox, 0)
    wait_for(lambda: status(api, sandbox)["upstream"] == "failed")
    seen = status(api, sandbox)
    assert "credentials" in seen["upstream_error"]
    assert "ghp_loopback" not in str(seen)
