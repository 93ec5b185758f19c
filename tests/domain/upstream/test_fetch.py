"""The upstream's main is fetched into the local main: fast-forward only, never clobbered."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.domain.calls import Services
from draftroom.domain.upstream import fetch_main
from tests.support.api import Api, new_key, start_sandbox
from tests.support.gitserver import GitServer, log, run_git
from tests.support.upstream import (
    REPO,
    advance_upstream_main,
    mirrored,
    repository_id,
    status,
    wait_for,
)


def test_fetch_fast_forwards_main_and_new_sandboxes_start_there(
    tmp_path: Path, api: Api, services: Services, git_server: GitServer
) -> None:
    old = start_sandbox(api, REPO)
    upstream_main = advance_upstream_main(git_server, tmp_path / "work", "one\n")

    outcome = fetch_main(services, repository_id(services))

    assert (outcome.main_state, outcome.error, outcome.main) == ("synced", None, upstream_main)
    new = api.post("/sandbox/init", expect=201, repo_name=REPO, mode="branch")
    assert new["head"] == upstream_main
    assert status(api, old)["behind"] == 1


def test_main_moved_on_both_sides_is_reported_and_left_alone(
    tmp_path: Path, services: Services, git_server: GitServer
) -> None:
    local = services.settings.repos_dir / f"{REPO}.git"
    approved = advance_upstream_main(git_server, tmp_path / "work", "merged here\n")
    fetch_main(services, repository_id(services))  # local main now has it too
    run_git(
        "--git-dir", str(git_server.path(REPO)), "update-ref", "refs/heads/main", approved + "~1"
    )
    advance_upstream_main(git_server, tmp_path / "other", "merged there\n")

    outcome = fetch_main(services, repository_id(services))

    assert outcome.main_state == "diverged"
    assert log(local, "main")[0] == approved
    with services.database.session() as session:
        upstream = store.get_upstream(session, repository_id(services))
        assert upstream is not None and upstream.main_state == "diverged"


def test_an_unreachable_upstream_records_the_error_and_keeps_main(
    services: Services, git_server: GitServer
) -> None:
    before = log(services.settings.repos_dir / f"{REPO}.git", "main")
    git_server.stop()
    outcome = fetch_main(services, repository_id(services))
    assert outcome.error is not None and "127.0.0.1" in outcome.error
    assert log(services.settings.repos_dir / f"{REPO}.git", "main") == before


def test_the_server_fetches_main_on_its_schedule(tmp_path: Path, git_server: GitServer) -> None:
    services = mirrored(tmp_path / "data", git_server, upstream_fetch_seconds=0.2)
    with TestClient(create_app(services.settings, services)) as client:
        api = Api(client, new_key(services))
        upstream_main = advance_upstream_main(git_server, tmp_path / "work", "scheduled\n")
        wait_for(
            lambda: log(services.settings.repos_dir / f"{REPO}.git", "main")[0] == upstream_main
        )
        sandbox = start_sandbox(api, REPO)
        assert status(api, sandbox)["behind"] == 0
