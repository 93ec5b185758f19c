"""Fixtures: real repositories in tmp_path and a git CLI isolated from the user's config."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from draftroom.git import Repository

GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Tester",
    "GIT_AUTHOR_EMAIL": "tester@example.com",
    "GIT_COMMITTER_NAME": "Tester",
    "GIT_COMMITTER_EMAIL": "tester@example.com",
}

GitCli = Callable[..., str]


def run_git(cwd: Path, *args: str) -> str:
    """Run the git CLI in ``cwd`` and return stdout; fail the test on a non-zero exit."""
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"git {' '.join(args)} failed: {done.stderr}"
    return done.stdout


def run_fsck(gitdir: Path) -> None:
    """``git fsck --strict`` must pass and print no errors or warnings."""
    done = subprocess.run(
        ["git", "fsck", "--strict", "--no-dangling"],
        cwd=gitdir,
        env=GIT_ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "error" not in output.lower() and "warning" not in output.lower(), output


@pytest.fixture
def git_cli() -> GitCli:
    return run_git


@pytest.fixture
def fsck() -> Callable[[Path], None]:
    return run_fsck


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    return Repository.init(tmp_path / "repo.git", readme=b"# hello\n")
