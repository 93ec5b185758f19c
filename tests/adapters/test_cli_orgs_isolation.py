"""The command line keeps orgs apart: with ``--org acme``, every command given an object of
org ``beta`` (a merge request, key, reuse token, branch, ``SLUG/NAME``, credential) fails
exactly as for a missing one, and ``beta`` is left as it was."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.test_cli_admin import DataDir


@pytest.fixture
def data(tmp_path: Path) -> DataDir:
    return DataDir(tmp_path / "data")


MISSING_TOKEN = "drt_0000000000000000_" + "x" * 43


def _call(data: DataDir, org: str, tool: str, payload: dict[str, Any]) -> dict[str, Any]:
    done = data.run("call", tool, "--org", org, "--json", json.dumps(payload))
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def _org(data: DataDir, slug: str) -> dict[str, Any]:
    """Org ``slug`` with repository ``demo``, a sandbox with a commit, a merge request, an
    agent key and a credential named like no other org's."""
    assert data.run("org", "add", slug).returncode == 0
    assert data.run("repo", "add", "demo", "--init", "--org", slug).returncode == 0
    sandbox = _call(data, slug, "sandbox.init", {"repo_name": "demo"})
    mine = {"repo_name": "demo", "reuse_token": sandbox["reuse_token"]}
    _call(data, slug, "files.write", {**mine, "path": "a.txt", "content": slug, "message": "a"})
    merge = _call(data, slug, "merge.request", {**mine, "title": "Ship"})
    key = data.run("key", "create", "--role", "agent", "--org", slug).stdout.split()[-1]
    credential = f"{slug}-ci"
    added = data.run(
        "credential",
        "add",
        credential,
        "--token",
        "ghp_" + "a" * 36,
        "--host",
        "github.com",
        "--org",
        slug,
    )
    assert added.returncode == 0, added.stderr
    return {
        **mine,
        "branch": sandbox["branch"],
        "merge_id": merge["id"],
        "key_id": key.split("_")[1],
        "token_id": sandbox["reuse_token"].split("_")[1],
        "credential": credential,
    }


def _state(data: DataDir, slug: str) -> list[str]:
    """What the CLI shows of an org: its sandboxes, merge requests, keys, credentials."""
    shown = [
        data.run(*argv, "--org", slug).stdout
        for argv in (
            ["sandbox", "list"],
            ["merge", "list"],
            ["key", "list"],
            ["credential", "list"],
        )
    ]
    return [re.sub(r"\d+ (second|minute)s? ago|just now", "", text) for text in shown]


@pytest.mark.slow
def test_every_command_answers_for_another_orgs_objects_as_for_missing_ones(
    data: DataDir,
) -> None:
    acme, beta = _org(data, "acme"), _org(data, "beta")
    before = _state(data, "beta")
    missing_id = "0" * len(beta["key_id"])
    pairs = [
        (["merge", "show", str(beta["merge_id"])], ["merge", "show", "999999"]),
        (["merge", "approve", str(beta["merge_id"])], ["merge", "approve", "999999"]),
        (
            ["merge", "reject", str(beta["merge_id"]), "--reason", "no"],
            ["merge", "reject", "999999", "--reason", "no"],
        ),
        (["key", "revoke", beta["key_id"]], ["key", "revoke", missing_id]),
        (["token", "revoke", beta["token_id"]], ["token", "revoke", missing_id]),
        (
            ["token", "issue", beta["branch"], "--repo", "demo"],
            ["token", "issue", "sandbox-missing-one", "--repo", "demo"],
        ),
        (
            ["token", "issue", beta["branch"], "--repo", "beta/demo"],
            ["token", "issue", "sandbox-missing-one", "--repo", "beta/nothing"],
        ),
        (["repo", "sync", "beta/demo"], ["repo", "sync", "beta/nothing"]),
        (["credential", "remove", beta["credential"]], ["credential", "remove", "nothing-ci"]),
        (["sandbox", "list", "--repo", "beta/demo"], ["sandbox", "list", "--repo", "beta/nothing"]),
        (
            [
                "call",
                "files.read",
                "--json",
                json.dumps(
                    {"repo_name": "beta/demo", "reuse_token": beta["reuse_token"], "path": "a.txt"}
                ),
            ],
            [
                "call",
                "files.read",
                "--json",
                json.dumps(
                    {"repo_name": "beta/nothing", "reuse_token": MISSING_TOKEN, "path": "a.txt"}
                ),
            ],
        ),
        (
            [
                "call",
                "files.read",
                "--json",
                json.dumps(
                    {"repo_name": "demo", "reuse_token": beta["reuse_token"], "path": "a.txt"}
                ),
            ],
            [
                "call",
                "files.read",
                "--json",
                json.dumps({"repo_name": "demo", "reuse_token": MISSING_TOKEN, "path": "a.txt"}),
            ],
        ),
    ]
    masks = sorted(
        [
            str(beta["merge_id"]),
            "999999",
            beta["key_id"],
            missing_id,
            beta["token_id"],
            beta["branch"],
            "sandbox-missing-one",
            "beta/demo",
            "beta/nothing",
            beta["credential"],
            "nothing-ci",
            beta["reuse_token"],
            MISSING_TOKEN,
        ],
        key=len,
        reverse=True,
    )

    def shape(done: Any) -> tuple[int, str]:
        text = re.sub(r'"request_id": "[0-9a-f]+"', "", done.stderr + done.stdout)
        for mask in masks:
            text = text.replace(mask, "<object>")
        return done.returncode, text

    for foreign, missing in pairs:
        got = shape(data.run(*foreign, "--org", "acme"))
        assert got == shape(data.run(*missing, "--org", "acme")), foreign
        assert got[0] != 0 or foreign[:2] == ["sandbox", "list"], foreign
    assert _state(data, "beta") == before
    assert beta["branch"] not in data.run("sandbox", "list", "--org", "acme").stdout
    read = {"repo_name": "demo", "reuse_token": beta["reuse_token"], "path": "a.txt"}
    assert _call(data, "beta", "files.read", read)["content"] == "beta"
    assert acme["merge_id"] != beta["merge_id"]


def test_an_unknown_org_is_refused_and_not_created(data: DataDir, tmp_path: Path) -> None:
    assert data.run("org", "add", "acme").returncode == 0
    refused = data.run("repo", "add", "demo", "--init", "--org", "acme-typo")
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        "error: not_found: no org named 'acme-typo'; create it with 'draftroom org add acme-typo'"
    ]
    assert "acme-typo" not in data.run("org", "list").stdout
    both = data.run("key", "list", "--org", "acme", key="drk_x_y")
    assert both.returncode == 1 and "not both" in both.stderr
