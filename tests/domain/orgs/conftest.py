"""Here ``cli`` runs ``draftroom`` commands on one data dir (on each database backend)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from draftroom.adapters.cli import app
from draftroom.config import Settings
from draftroom.domain.calls import Services

SECRET_KEY = "a long test secret that is not a real one"


class Cli:
    """``draftroom … --data-dir DATA`` in process, and the data dir's services."""

    def __init__(self, data: Path, services: Services) -> None:
        self.data = data
        self.services = services
        self.runner = CliRunner()

    def __call__(
        self, *args: str, key: str | None = None, expect: int = 0, stdin: str | None = None
    ) -> Result:
        prefix = ["--key", key] if key else []
        done = self.runner.invoke(app, [*prefix, *args, "--data-dir", str(self.data)], input=stdin)
        assert done.exit_code == expect, done.output
        return done

    def key(self, org: str, role: str = "admin") -> str:
        """A new API key of ``org`` (its plaintext: the last line printed)."""
        out = self("key", "create", "--org", org, "--role", role).output
        return str(out.strip().splitlines()[-1])


@pytest.fixture
def cli(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    monkeypatch.setenv("DRAFTROOM_DATABASE_URL", database_url)
    monkeypatch.setenv("DRAFTROOM_UPSTREAM_WORKER", "false")
    monkeypatch.setenv("DRAFTROOM_SECRET_KEY", SECRET_KEY)
    data = tmp_path / "data"
    services = Services(Settings(data_dir=data, public_url="https://d.example"))
    yield Cli(data, services)
    services.database.dispose()
