"""Each kind of bad template is refused with a message naming the problem, and nothing is kept:
``draftroom template add`` exits 1 printing every problem."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from tests.domain.templates.conftest import Cli, write_template
from tests.support.api import Api

from draftroom.domain.calls import Services
from draftroom.domain.templates import MAX_FILE_BYTES, MAX_FILES, read_source
from draftroom.errors import TemplateInvalid

AWS_KEY = "AKIA" + "Q" * 16


def _symlink(root: Path) -> None:
    os.symlink("/etc/passwd", root / "files" / "passwd")


def _aliases(root: Path) -> None:
    (root / "template.yaml").write_text(
        "name: tiny-app\nversion: 1.0.0\ndescription: &d boom\ntasks: [{title: *d}]\n"
    )


def _files_through_link(root: Path) -> None:
    (root / "elsewhere").mkdir()
    os.symlink(root / "elsewhere", root / "linked")


CASES: list[tuple[str, dict[str, Any], dict[str, str] | None, Any, str]] = [
    ("unknown key", {"license": "MIT"}, None, None, "unknown key 'license'"),
    ("bad name", {"name": "Tiny_App"}, None, None, "name 'Tiny_App' must match"),
    ("bad version", {"version": "1.2"}, None, None, "version '1.2' is not semver"),
    ("files outside", {"files": "../outside"}, None, None, "'files' must be a directory inside"),
    ("files via link", {"files": "linked"}, None, _files_through_link, "symbolic link 'linked'"),
    ("symlink", {}, {"a.txt": "a"}, _symlink, "files/passwd is a symbolic link"),
    ("windows name", {}, {"aux.py": "x = 1\n"}, None, "reserved device name on Windows"),
    ("windows char", {}, {"a:b.txt": "x"}, None, "which Windows does not allow"),
    ("case twins", {}, {"A.txt": "a", "a.txt": "b"}, None, "one file on macOS and Windows"),
    ("workspace file", {}, {"task.yaml": "[]\n"}, None, "would replace the workspace file"),
    ("secret in a file", {}, {"cfg.py": f"KEY = '{AWS_KEY}'\n"}, None, "an AWS access key id"),
    ("secret in a task", {"tasks": [{"title": AWS_KEY}]}, None, None, "an AWS access key id"),
    ("file too large", {}, {"big.bin": "x" * (MAX_FILE_BYTES + 1)}, None, "each file may be"),
    (
        "too many files",
        {},
        {f"f{i}.txt": "x" for i in range(MAX_FILES + 1)},
        None,
        f"a template may hold {MAX_FILES}",
    ),
    ("yaml aliases", {}, None, _aliases, "anchors and aliases"),
    (
        "bad placeholder",
        {"prompts": {"kickoff": "{project_name.__class__}"}},
        None,
        None,
        "unknown placeholder {project_name.__class__}",
    ),
    ("missing description", {"description": None}, None, None, "'description' is missing"),
]


@pytest.mark.parametrize(
    ("manifest", "files", "damage", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_bad_template_is_refused_with_its_problem(
    cli: Cli,
    api: Api,
    tmp_path: Path,
    manifest: dict[str, Any],
    files: dict[str, str] | None,
    damage: Any,
    message: str,
) -> None:
    root = write_template(tmp_path / "bad", files, **manifest)
    if damage is not None:
        damage(root)
    refused = cli("template", "add", str(root), expect=1).output
    assert "template_invalid" in refused and message in refused, refused
    assert not [t for t in api.post("/templates/list")["templates"] if t["name"] == "tiny-app"]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    root = write_template(tmp_path / "bad", {"aux.py": "x"}, name="X", version="one", extra=1)
    with pytest.raises(TemplateInvalid) as refused:
        read_source(str(root), "global")
    assert refused.value.status == 422
    problems = refused.value.details["problems"]
    assert len(problems) == 4, problems
    assert "(and 3 more)" in refused.value.message


def test_a_path_that_is_no_template_is_a_400(cli: Cli, tmp_path: Path) -> None:
    refused = cli("template", "add", str(tmp_path), expect=1).output
    assert "invalid_input" in refused and "neither a directory holding template.yaml" in refused


def test_an_invalid_plugin_template_is_left_out_not_a_500(
    api: Api, services: Services, tmp_path: Path
) -> None:
    services.plugin_template_dirs.append(write_template(tmp_path / "p", name="Bad Name"))
    names = [t["name"] for t in api.post("/templates/list")["templates"]]
    assert "Bad Name" not in names and "web-app" in names
