"""The README's walk-through, run as written: its shell blocks against a real server on a
free port (the README says 8123), ``./dev draftroom`` being this checkout's CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.server import Server

README = Path(__file__).parents[2] / "README.md"
SECTION = "## A walk-through"
README_PORT = "8123"


def walkthrough_blocks() -> list[str]:
    """The ``sh`` blocks of the README's walk-through section, in order."""
    text = README.read_text()
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ", len(SECTION))]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)


def dev_script(directory: Path) -> None:
    """A ``./dev`` that runs ``draftroom ARGS`` with this interpreter and this checkout's code."""
    dev = directory / "dev"
    dev.write_text(
        f'#!/bin/sh\n[ "$1" = draftroom ] && shift\nexec {sys.executable} -m draftroom "$@"\n'
    )
    dev.chmod(0o755)


@pytest.mark.slow
def test_readme_walkthrough_runs_verbatim_on_a_non_default_port(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DRAFTROOM_PUBLIC_URL", raising=False)
    serve, *steps = walkthrough_blocks()
    assert serve.strip() == f"./dev serve --port {README_PORT}"
    script = "\n".join(steps)
    assert README_PORT in script and "--data-dir" not in script
    dev_script(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTROOM_")}
    with Server(tmp_path / ".draftroom") as server:
        script = script.replace(README_PORT, str(server.port))
        result = subprocess.run(
            ["bash", "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    out, err = result.stdout, result.stderr
    assert result.returncode == 0, out + err  # the last command: main's README
    assert out.endswith("# Demo\nWritten by A and B.\n"), out + err
    assert '"id":1' in out and '"id":2' in out and '"id":3' in out
    assert "merged #1 into main" in out and "merged #3 into main" in out
    assert "conflict: README.md\nerror: merge_conflict:" in err and "sandbox.sync" in err
    assert '"code":"merge_conflict"' in out and '"resolved":["README.md"]' in out
    assert '"conflicts":[]' in out.split('"id":3')[1]
    assert "Traceback" not in err
