"""The upstream commands as an admin types them: credential add/list/remove, repo add --upstream,
sync, resolve."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from draftroom.adapters.cli import app
from draftroom.adapters.http import create_app
from draftroom.config import Settings
from draftroom.domain.calls import Services
from tests.support.api import Api, new_key, start_sandbox
from tests.support.gitserver import GitServer, log
from tests.support.upstream import REPO, TOKEN, diverge_main, write

SECRET = "a long test secret that is not a real one"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DRAFTROOM_SECRET_KEY", SECRET)
    monkeypatch.setenv("DRAFTROOM_UPSTREAM_WORKER", "false")
    monkeypatch.setenv("DRAFTROOM_ALLOW_PRIVATE_URLS", "1")  # the git server is on loopback
    return CliRunner()


def test_add_sync_from_the_command_line(
    tmp_path: Path, runner: CliRunner, git_server: GitServer
) -> None:
    data = str(tmp_path / "data")
    added = runner.invoke(
        app, ["credential", "add", "gh", "--token", "-", "--data-dir", data], input=TOKEN + "\n"
    )
    assert added.exit_code == 0, added.output
    assert TOKEN not in added.output
    cloned = runner.invoke(
        app,
        [
            "repo",
            "add",
            REPO,
            "--upstream",
            git_server.url(REPO),
            "--credential",
            "gh",
            "--data-dir",
            data,
        ],
    )
    assert cloned.exit_code == 0, cloned.output
    assert "default branch main" in cloned.output

    services = Services(Settings(data_dir=Path(data)))
    with TestClient(create_app(services.settings, services)) as client:  # worker off: queued only
        api = Api(client, new_key(services))
        sandbox = start_sandbox(api, REPO)
        head = write(api, sandbox, 1)
    assert log(git_server.path(REPO), sandbox["branch"]) == []

    synced = runner.invoke(app, ["repo", "sync", REPO, "--data-dir", data])
    assert synced.exit_code == 0, synced.output
    assert f"{sandbox['branch']}" in synced.output and "synced" in synced.output
    assert "pushed 1 of 1 branches" in synced.output
    assert log(git_server.path(REPO), sandbox["branch"])[0] == head


def test_a_token_in_the_url_is_refused(
    tmp_path: Path, runner: CliRunner, git_server: GitServer
) -> None:
    url = git_server.url(REPO).replace("http://", f"http://user:{TOKEN}@")
    out = runner.invoke(app, ["repo", "add", REPO, "--upstream", url, "--data-dir", str(tmp_path)])
    assert out.exit_code == 1
    assert "--credential" in out.output and TOKEN not in out.output


def test_an_unreachable_upstream_leaves_nothing_behind(
    tmp_path: Path, runner: CliRunner, git_server: GitServer
) -> None:
    git_server.stop()
    out = runner.invoke(
        app, ["repo", "add", REPO, "--upstream", git_server.url(REPO), "--data-dir", str(tmp_path)]
    )
    assert out.exit_code == 1 and "upstream_unavailable" in out.output
    assert not (tmp_path / "orgs" / "default" / f"{REPO}.git").exists()


def test_resolve_needs_a_diverged_branch(
    tmp_path: Path, runner: CliRunner, git_server: GitServer
) -> None:
    data = str(tmp_path / "data")
    runner.invoke(app, ["credential", "add", "gh", "--token", TOKEN, "--data-dir", data])
    added = runner.invoke(
        app,
        [
            "repo",
            "add",
            REPO,
            "--upstream",
            git_server.url(REPO),
            "--credential",
            "gh",
            "--data-dir",
            data,
        ],
    )
    assert added.exit_code == 0, added.output
    both = runner.invoke(app, ["repo", "resolve", REPO, "b", "--data-dir", data])
    assert both.exit_code == 2
    out = runner.invoke(app, ["repo", "resolve", REPO, "b", "--force-ours", "--data-dir", data])
    assert out.exit_code == 1 and "not diverged" in out.output


def add_mirror(runner: CliRunner, data: str, server: GitServer) -> None:
    stored = runner.invoke(app, ["credential", "add", "gh", "--token", TOKEN, "--data-dir", data])
    assert stored.exit_code == 0, stored.output
    url = server.url(REPO)
    added = runner.invoke(
        app, ["repo", "add", REPO, "--upstream", url, "--credential", "gh", "--data-dir", data]
    )
    assert added.exit_code == 0, added.output


def test_credentials_are_listed_without_secrets_and_removed_only_when_unused(
    tmp_path: Path, runner: CliRunner, git_server: GitServer
) -> None:
    data = str(tmp_path / "data")
    Path(data).mkdir()  # a listing never creates a data dir
    empty = runner.invoke(app, ["credential", "list", "--data-dir", data])
    assert empty.exit_code == 0 and "no credentials" in empty.output
    add_mirror(runner, data, git_server)
    spare = runner.invoke(
        app, ["credential", "add", "spare", "--token", "ghp_spare", "--data-dir", data]
    )
    assert spare.exit_code == 0, spare.output

    listed = runner.invoke(app, ["credential", "list", "--data-dir", data])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert [line.split()[:2] for line in lines] == [["gh", "token"], ["spare", "token"]]
    assert lines[0].endswith(f"used by {REPO}") and lines[1].endswith("used by -")
    assert TOKEN not in listed.output and "ghp_spare" not in listed.output

    refused = runner.invoke(app, ["credential", "remove", "gh", "--data-dir", data])
    assert refused.exit_code == 1 and "conflict" in refused.output and REPO in refused.output
    removed = runner.invoke(app, ["credential", "remove", "spare", "--data-dir", data])
    assert removed.exit_code == 0, removed.output
    again = runner.invoke(app, ["credential", "remove", "spare", "--data-dir", data])
    assert again.exit_code == 1 and "not_found" in again.output
    after = runner.invoke(app, ["credential", "list", "--data-dir", data])
    assert [line.split()[0] for line in after.output.splitlines()] == ["gh"]


def test_a_diverged_main_is_resolved_from_the_command_line(
    tmp_path: Path, runner: CliRunner, git_server: GitServer
) -> None:
    data = str(tmp_path / "data")
    add_mirror(runner, data, git_server)
    services = Services(Settings(data_dir=Path(data)))
    ours, theirs = diverge_main(services, git_server, tmp_path)

    out = runner.invoke(
        app, ["repo", "resolve", REPO, "main", "--adopt-theirs", "--data-dir", data]
    )

    assert out.exit_code == 0, out.output
    assert f"main is at {theirs[:12]}" in out.output
    assert f"refs/draftroom/replaced/main ({ours[:12]})" in out.output
    assert log(Path(data) / "orgs" / "default" / f"{REPO}.git", "main")[0] == theirs
    twice = runner.invoke(
        app, ["repo", "resolve", REPO, "main", "--force-ours", "--data-dir", data]
    )
    assert twice.exit_code == 1 and "not diverged" in twice.output
