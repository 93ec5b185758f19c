"""Template directories written by each test, and ``draftroom`` run in process on the data dir
of the ``services`` fixture (so the CLI and the app share one data dir)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from typer.testing import CliRunner

from draftroom.adapters.cli import app
from draftroom.domain.calls import Services

MANIFEST: dict[str, Any] = {
    "name": "tiny-app",
    "version": "1.2.0",
    "description": "A tiny app with one file",
    "files": "files/",
    "tasks": [{"title": "Run it", "description": "python app.py"}],
    "memories": [{"text": "Stack: plain Python", "tags": ["stack"]}],
    "prompts": {"kickoff": "You are building {project_name}. Goals: {goals}. Open: {open_tasks}."},
}


def write_template(root: Path, contents: dict[str, str] | None = None, **manifest: Any) -> Path:
    """A template directory: ``template.yaml`` (``MANIFEST`` with ``manifest`` over it) and
    ``files/`` holding ``contents`` (default: one ``app.py``)."""
    root.mkdir(parents=True, exist_ok=True)
    body = {**MANIFEST, **manifest}
    (root / "template.yaml").write_text(yaml.safe_dump(body, sort_keys=False))
    for path, text in (contents if contents is not None else {"app.py": "print('hi')\n"}).items():
        target = root / "files" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return root


class Cli:
    def __init__(self, services: Services) -> None:
        self.data = services.settings.data_dir
        self.runner = CliRunner()

    def __call__(self, *args: str, expect: int = 0) -> Result:
        done = self.runner.invoke(app, [*args, "--data-dir", str(self.data)])
        assert done.exit_code == expect, done.output
        return done


@pytest.fixture
def cli(services: Services) -> Cli:
    return Cli(services)
