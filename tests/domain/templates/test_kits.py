"""Every built-in starter kit is a real project: scaffolded into a sandbox, checked out of
git into a directory of its own, its own tests pass (pytest in a subprocess)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.api import REPO, Api
from tests.support.trees import repo_of

from draftroom.domain.calls import Services
from draftroom.domain.templates import KITS_DIR

KITS = sorted(p.name for p in KITS_DIR.iterdir() if (p / "template.yaml").is_file())


def test_the_four_kits_ship() -> None:
    assert KITS == ["data-pipeline", "docs-site", "llm-chatbot", "web-app"]
    for kit in KITS:
        assert (KITS_DIR / kit / "files" / "README.md").is_file()
        assert list((KITS_DIR / kit / "files" / "tests").glob("test_*.py"))


def checkout(services: Services, branch: str, target: Path) -> None:
    """The branch's files (``.logs/`` aside) written to ``target``, modes kept."""
    repo = repo_of(services)
    head = repo.head(branch)
    for entry in repo.list_tree(head, recursive=True, limit=1000).entries:
        if entry.type == "dir" or entry.path.startswith(".logs/"):
            continue
        blob = repo.read_file(head, entry.path)
        path = target / entry.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(blob.data)
        path.chmod(0o755 if blob.mode == 0o100755 else 0o644)


@pytest.mark.slow
@pytest.mark.parametrize("kit", KITS)
def test_a_scaffolded_kit_passes_its_own_tests(
    api: Api, services: Services, tmp_path: Path, kit: str
) -> None:
    out = api.post(
        "/sandbox/init",
        expect=201,
        repo_name=REPO,
        mode="project",
        project_name=f"My {kit}",
        template=kit,
    )
    assert "README.md" in out["scaffolded"] and "pyproject.toml" in out["scaffolded"]
    project = tmp_path / "checkout"
    checkout(services, out["branch"], project)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout and "failed" not in done.stdout
