"""The CLI's admin commands as an admin types them: each one is a registered tool, called
through ``Registry.invoke`` with ``transport="cli"``, so it is audited once and refused to a
key without the admin scope exactly as over HTTP. Secrets given to it never reach the log.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.config import Settings
from draftroom.domain.access import needs
from draftroom.domain.calls.services import Services
from draftroom.domain.repos import OWNER_KEY_LABEL
from draftroom.tools import build_registry

SECRET_KEY = "a long test secret that is not a real one"
GH_TOKEN = "ghp_cli_admin_token_never_to_be_seen_again"


@dataclass(frozen=True)
class Row:
    tool: str
    outcome: str
    error_code: str | None
    api_key_id: str | None
    detail: dict[str, Any]


class DataDir:
    """A data dir the CLI runs on as a subprocess, and its audit table."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.logs: list[str] = []

    def run(self, *args: str, key: str | None = None, stdin: str | None = None) -> Any:
        env = {k: v for k, v in os.environ.items() if k != "DRAFTROOM_API_KEY"}
        env["DRAFTROOM_SECRET_KEY"] = SECRET_KEY
        env["DRAFTROOM_ALLOW_PRIVATE_URLS"] = "1"  # upstreams here are file:// repositories
        prefix = ["--key", key] if key else []
        done = subprocess.run(
            [sys.executable, "-m", "draftroom", *prefix, *args, "--data-dir", str(self.path)],
            capture_output=True,
            text=True,
            input=stdin,
            env=env,
            timeout=120,
        )
        self.logs += [done.stdout, done.stderr]
        return done

    def rows(self) -> list[Row]:
        services = Services(Settings(data_dir=self.path))
        try:
            with services.database.session() as session:
                events = store.list_audit_events(session, limit=10_000)
                return [
                    Row(e.tool, e.outcome, e.error_code, e.api_key_id, e.detail or {})
                    for e in reversed(events)
                ]
        finally:
            services.database.dispose()

    def owner_key_id(self) -> str:
        services = Services(Settings(data_dir=self.path))
        try:
            with services.database.session() as session:
                org = store.get_or_create_org(session, services.settings.org)
                keys = store.list_api_keys(session, org.id)
                return next(k.id for k in keys if k.label == OWNER_KEY_LABEL)
        finally:
            services.database.dispose()


@pytest.fixture
def data(tmp_path: Path) -> DataDir:
    return DataDir(tmp_path / "data")


def upstream_repo(tmp_path: Path) -> str:
    """A bare repository with one commit on main, as a file:// URL."""
    bare, work = tmp_path / "up.git", tmp_path / "up-work"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True)
    (work / "a.md").write_text("a\n")
    ident = ["-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "-C", str(work), "add", "."], check=True)
    subprocess.run(["git", "-C", str(work), *ident, "commit", "-qm", "a"], check=True)
    subprocess.run(["git", "-C", str(work), "push", "-q", str(bare), "main"], check=True)
    return bare.as_uri()


def private_key_pem(tmp_path: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    path = tmp_path / "app.pem"
    path.write_bytes(pem)
    return path


def admin_commands(tmp_path: Path, data: DataDir) -> list[tuple[list[str], str, int, str | None]]:
    """(argv, tool, exit status, stdin) for every admin command, in an order that works.

    Some are expected to fail inside the tool (exit 1): the row is written all the same.
    """
    sandbox = json.loads(data.run("call", "sandbox.init", "--json", '{"repo_name": "made"}').stdout)
    token_id = sandbox["reuse_token"].split("_")[1]
    reuse = {"repo_name": "made", "reuse_token": sandbox["reuse_token"]}
    wrote = {**reuse, "path": "a.md", "content": "a\n", "message": "Add a"}
    data.run("call", "files.write", "--json", json.dumps(wrote))
    data.run("call", "merge.request", "--json", json.dumps({**reuse, "title": "Add a"}))
    existing = tmp_path / "existing"
    subprocess.run(["git", "init", "-q", "-b", "main", str(existing)], check=True)
    pem = str(private_key_pem(tmp_path))
    spare = data.run("key", "create").stdout.splitlines()[-1].split("_")[1]
    return [
        (["repo", "add", "other", "--init"], "admin.repos.register", 0, None),
        (["repo", "add", "mine", "--path", str(existing)], "admin.repos.register", 0, None),
        (["repo", "set", "made", "--require-other-reviewer"], "admin.repos.set", 0, None),
        (["credential", "add", "gh", "--token", "-"], "admin.credentials.add", 0, GH_TOKEN),
        (
            ["credential", "add", "app", "--github-app-id", "12", "--private-key-file", pem],
            "admin.credentials.add_github_app",
            0,
            None,
        ),
        (["credential", "list"], "admin.credentials.list", 0, None),
        (["credential", "remove", "app"], "admin.credentials.remove", 0, None),
        (
            ["repo", "add", "up", "--upstream", upstream_repo(tmp_path), "--credential", "gh"],
            "admin.repos.add",
            0,
            None,
        ),
        (["repo", "sync", "up"], "admin.repos.sync", 0, None),
        (["repo", "resolve", "up", "main", "--force-ours"], "admin.repos.resolve", 1, None),
        (["key", "create", "--role", "admin", "--label", "ci"], "admin.keys.create", 0, None),
        (["key", "list"], "admin.keys.list", 0, None),
        (["key", "revoke", spare], "admin.keys.revoke", 0, None),
        (["token", "revoke", token_id], "admin.tokens.revoke", 0, None),
        (["sandbox", "list", "--repo", "made"], "sandbox.list", 0, None),
        (["token", "issue", sandbox["branch"], "--repo", "made"], "admin.tokens.issue", 0, None),
        (["merge", "list"], "merge.list", 0, None),
        (["merge", "show", "1"], "merge.show", 0, None),
        (["merge", "reject", "1", "--reason", "not now"], "merge.reject", 0, None),
        (["merge", "approve", "1"], "merge.approve", 1, None),
    ]


@pytest.mark.slow
def test_every_admin_command_is_one_audited_cli_call_and_refused_to_an_agent_key(
    tmp_path: Path, data: DataDir
) -> None:
    data.run("repo", "add", "made", "--init")
    agent = data.run("key", "create", "--role", "agent").stdout.splitlines()[-1]
    agent_id = agent.split("_")[1]
    commands = admin_commands(tmp_path, data)
    owner = data.owner_key_id()
    for argv, tool, status, stdin in commands:
        before = len(data.rows())
        refused = data.run(*argv, key=agent, stdin=stdin)
        assert refused.returncode == 1, (argv, refused.stderr)
        message = f"{tool} needs {needs(build_registry().get(tool).scope)}"
        assert refused.stderr.splitlines() == [f"error: insufficient_scope: {message}"]
        assert data.rows()[before:] == [
            Row(
                tool,
                "error",
                "insufficient_scope",
                agent_id,
                {"transport": "cli", "message": message},
            )
        ], argv

        before = len(data.rows())
        done = data.run(*argv, stdin=stdin)
        assert done.returncode == status, (argv, done.stdout, done.stderr)
        [row] = data.rows()[before:]
        assert (row.tool, row.api_key_id, row.detail["transport"]) == (tool, owner, "cli")
        assert row.outcome == ("ok" if status == 0 else "error"), argv


def test_the_output_lines_stay_as_documented(tmp_path: Path, data: DataDir) -> None:
    added = data.run("repo", "add", "made", "--init")
    assert added.stdout == f"registered made: {data.path.resolve() / 'orgs/default/made.git'}\n"
    created = data.run("key", "create", "--role", "admin")
    first, key = created.stdout.splitlines()
    assert first.startswith("created admin key ") and first.endswith(" (shown once):")
    assert key.startswith("drk_") and first.split()[3] == key.split("_")[1]
    stored = data.run("credential", "add", "gh", "--token", GH_TOKEN)
    assert stored.stdout == "stored credential gh (token, encrypted)\n"
    again = data.run("credential", "add", "gh", "--token", GH_TOKEN)
    assert again.returncode == 1 and again.stderr.startswith("error: already_exists: ")
    usage = data.run("credential", "add", "gh")
    assert usage.returncode == 2
    url = upstream_repo(tmp_path)
    mirror = data.run("repo", "add", "up", "--upstream", url, "--credential", "gh")
    assert mirror.stdout.splitlines() == [
        f"cloned {url} (default branch main)",
        "registered up",
    ]
    synced = data.run("repo", "sync", "up")
    assert synced.returncode == 0, synced.stderr
    lines = synced.stdout.splitlines()
    assert lines[0] == "fetching up main ..." and lines[-1] == "pushed 0 of 0 branches"
    assert lines[1].startswith("main: synced at ")


def test_a_key_given_with_key_is_the_one_acting(data: DataDir) -> None:
    admin = data.run("key", "create", "--role", "admin").stdout.splitlines()[-1]
    added = data.run("repo", "add", "made", "--init", key=admin)
    assert added.returncode == 0, added.stderr
    assert data.rows()[-1].api_key_id == admin.split("_")[1]
    wrong = data.run("repo", "add", "other", "--init", key="drk_not_a_key")
    assert (wrong.returncode, wrong.stderr) == (1, "error: unauthorized: invalid API key\n")


def test_secrets_never_reach_an_audit_row_or_a_log_line(
    tmp_path: Path, data: DataDir, caplog: pytest.LogCaptureFixture
) -> None:
    created = data.run("key", "create", "--role", "agent")
    key = created.stdout.splitlines()[-1]
    called = data.run("call", "admin.keys.create", "--json", '{"role": "admin"}')
    called_key = json.loads(called.stdout)["key"]
    pem = private_key_pem(tmp_path)
    data.run("credential", "add", "gh", "--token", "-", stdin=GH_TOKEN + "\n")
    data.run("credential", "add", "app", "--github-app-id", "7", "--private-key-file", str(pem))
    refused = data.run("credential", "add", "bad name", "--token", GH_TOKEN)
    assert refused.returncode == 1 and "invalid_input" in refused.stderr
    pem_body = pem.read_text().splitlines()[1]
    secrets = [key, called_key, GH_TOKEN, pem_body]
    rows = repr(data.rows())
    assert "admin.credentials.add_github_app" in rows and "admin.keys.create" in rows
    outputs = "".join(data.logs).replace(created.stdout, "").replace(called.stdout, "")
    for secret in secrets:
        assert secret not in rows
        assert secret not in outputs

    # Over HTTP too, a refused credential is logged without its secret.
    services = Services(Settings(data_dir=data.path, secret_key=SECRET_KEY))
    admin = data.run("key", "create", "--role", "admin").stdout.splitlines()[-1]
    with (
        caplog.at_level(logging.WARNING, logger="draftroom.audit"),
        TestClient(create_app(services.settings, services)) as client,
    ):
        response = client.post(
            "/admin/credentials",
            json={"name": "bad name", "token": GH_TOKEN},
            headers={"Authorization": f"Bearer {admin}"},
        )
    assert response.status_code == 400 and GH_TOKEN not in response.text
    assert "admin.credentials.add" in caplog.text and GH_TOKEN not in caplog.text


def test_a_lost_token_is_recovered_from_the_command_line(data: DataDir) -> None:
    """Issue 13, finding 4: a sandbox whose token is lost is found and resumed, not lost."""
    data.run("repo", "add", "made", "--init")
    first = json.loads(data.run("call", "sandbox.init", "--json", '{"repo_name": "made"}').stdout)
    branch = first["branch"]
    wrote = {"repo_name": "made", "reuse_token": first["reuse_token"], "path": "a.md"}
    data.run(
        "call", "files.write", "--json", json.dumps({**wrote, "content": "a\n", "message": "A"})
    )
    project = {"repo_name": "made", "mode": "project", "project_name": "Beacon"}
    data.run("call", "sandbox.init", "--json", json.dumps(project))

    again = data.run(
        "call", "sandbox.init", "--json", json.dumps({"repo_name": "made", "branch": branch})
    )
    assert again.returncode == 1
    refusal = json.loads(again.stdout)["error"]
    assert refusal["code"] == "token_required"
    assert f"draftroom token issue {branch} --repo made" in refusal["message"]

    listed = data.run("sandbox", "list", "--repo", "made")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 2  # the refused init started no third sandbox
    beacon, mine = lines
    assert mine.split()[:4] == ["made", branch, "project", "-"]
    assert re.search(r"created \S+  last used \S+  active$", mine)
    assert "last used never" not in mine
    assert beacon.split()[2:4] == ["project", "Beacon"] and "last used never" in beacon

    issued = data.run("token", "issue", branch, "--repo", "made")
    assert issued.returncode == 0, issued.stderr
    head, token = issued.stdout.splitlines()
    assert head.startswith(
        f"issued reuse token {token.split('_')[1]} for {branch} of made, valid until "
    )
    assert head.endswith(" (shown once):")
    resumed = {"repo_name": "made", "reuse_token": token, "path": "a.md"}
    read = data.run("call", "files.read", "--json", json.dumps(resumed))
    assert json.loads(read.stdout)["content"] == "a\n"
    old = data.run("call", "files.read", "--json", json.dumps(wrote))
    assert old.returncode == 0  # the lost token, if found again, still works
    unknown = data.run("token", "issue", "sandbox-nope", "--repo", "made")
    assert unknown.returncode == 1 and unknown.stderr.startswith("error: not_found: ")
    assert token not in repr(data.rows())
    empty = DataDir(data.path.parent / "empty")
    empty.run("repo", "add", "made", "--init")
    assert empty.run("sandbox", "list").stdout.startswith("no sandboxes")


def test_call_reaches_sandbox_tools_as_json(data: DataDir) -> None:
    data.run("repo", "add", "made", "--init")
    init = data.run("call", "sandbox.init", "--json", '{"repo_name": "made"}')
    assert init.returncode == 0, init.stderr
    sandbox = json.loads(init.stdout)
    reuse = {"repo_name": "made", "reuse_token": sandbox["reuse_token"]}
    wrote = {**reuse, "path": "notes.md", "content": "from the shell\n", "message": "Note"}
    written = data.run("call", "files.write", "--json", "-", stdin=json.dumps(wrote))
    assert written.returncode == 0, written.stderr
    read = data.run("call", "files.read", "--json", json.dumps({**reuse, "path": "notes.md"}))
    assert json.loads(read.stdout)["content"] == "from the shell\n"
    missing = data.run("call", "files.read", "--json", json.dumps({**reuse, "path": "nope.md"}))
    assert missing.returncode == 1
    assert json.loads(missing.stdout)["error"]["code"] == "path_not_found"
    unknown = data.run("call", "files.frobnicate")
    assert unknown.returncode == 1 and "not_found" in unknown.stderr
    bad = data.run("call", "files.read", "--json", "{not json")
    assert bad.returncode == 2
    rows = [(r.tool, r.outcome, r.detail["transport"]) for r in data.rows()]
    assert rows[-4:] == [
        ("sandbox.init", "ok", "cli"),
        ("files.write", "ok", "cli"),
        ("files.read", "ok", "cli"),
        ("files.read", "error", "cli"),
    ]
