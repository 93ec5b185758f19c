"""``draftroom repo webhook NAME``: the URL to paste, and the secret on the last line; made
once, stored encrypted, the same on every later run."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from draftroom import store
from draftroom.adapters.cli import app
from draftroom.config import Settings
from draftroom.domain.calls import Services
from tests.support.gitserver import GitServer
from tests.support.upstream import REPO, mirrored

SECRET_KEY = "a long test secret that is not a real one"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DRAFTROOM_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("DRAFTROOM_UPSTREAM_WORKER", "false")
    monkeypatch.setenv("DRAFTROOM_PUBLIC_URL", "https://draftroom.example")
    return CliRunner()


def test_the_secret_is_the_last_line_made_once_and_stored_encrypted(
    tmp_path: Path, runner: CliRunner, git_server: GitServer
) -> None:
    data = tmp_path / "data"
    mirrored(data, git_server, secret_key=SECRET_KEY).database.dispose()

    first = runner.invoke(app, ["repo", "webhook", REPO, "--data-dir", str(data)])
    again = runner.invoke(app, ["repo", "webhook", REPO, "--data-dir", str(data)])

    assert first.exit_code == 0, first.output
    lines = first.output.strip().splitlines()
    secret = lines[-1]
    assert len(secret) == 64 and secret.isalnum()
    assert "https://draftroom.example/webhooks/github" in first.output
    assert "created now" in first.output and "as stored" in again.output
    assert again.output.strip().splitlines()[-1] == secret
    services = Services(Settings(data_dir=data))
    with services.database.session() as session:
        (upstream,) = store.list_upstreams(session)
        assert upstream.webhook_secret is not None and secret not in upstream.webhook_secret
        rows = store.list_audit_events(session, repo=REPO)
        webhook_rows = [r for r in rows if r.tool == "admin.repos.webhook"]
        assert webhook_rows and all(secret not in str(r.detail) for r in webhook_rows)
    services.database.dispose()


def test_a_repository_without_upstream_has_no_webhook(tmp_path: Path, runner: CliRunner) -> None:
    data = str(tmp_path / "data")
    assert runner.invoke(app, ["repo", "add", "plain", "--init", "--data-dir", data]).exit_code == 0
    done = runner.invoke(app, ["repo", "webhook", "plain", "--data-dir", data])
    assert done.exit_code == 1 and "has no upstream" in done.output


def test_without_a_secret_key_no_secret_is_made(
    tmp_path: Path, git_server: GitServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    mirrored(data, git_server).database.dispose()
    monkeypatch.delenv("DRAFTROOM_SECRET_KEY", raising=False)
    done = CliRunner().invoke(app, ["repo", "webhook", REPO, "--data-dir", str(data)])
    assert done.exit_code == 1 and "DRAFTROOM_SECRET_KEY" in done.output
