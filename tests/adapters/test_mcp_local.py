"""Local mode: ``draftroom mcp --repo`` on a person's own repository, mid-edit.

The repository has uncommitted edits, a staged change and an untracked file. Whatever the
agent does, the working tree, the index, HEAD and the checked-out branch stay byte-for-byte
as they were; the agent's work shows up only on its sandbox branch.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from draftroom import store
from draftroom.adapters.mcp_local import local_sandbox
from draftroom.config import Settings
from draftroom.domain.access import revoke_reuse_token
from draftroom.domain.calls import Services
from draftroom.domain.repos import (
    SANDBOX_FILE,
    agent_principal,
    local_data_dir,
    repository_name,
)
from draftroom.errors import RefNotFound
from draftroom.tools import build_registry

GIT_IDENTITY = ["-c", "user.name=Person", "-c", "user.email=person@example.com"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *GIT_IDENTITY, *args], check=True, capture_output=True, text=True
    ).stdout


def person_repo(path: Path, branch: str = "main") -> Path:
    """A non-bare repository mid-edit: unstaged and staged changes, and an untracked file."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", branch)
    (path / "tracked.txt").write_text("committed\n")
    (path / "staged.txt").write_text("committed\n")
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "Initial")
    (path / "tracked.txt").write_text("edited, not staged\n")
    (path / "staged.txt").write_text("edited and staged\n")
    git(path, "add", "staged.txt")
    (path / "untracked.txt").write_text("nobody told git\n")
    return path


def snapshot(repo: Path) -> dict[str, Any]:
    """Everything the person owns: working tree bytes, index, HEAD, the checked-out branch."""
    tree = {
        str(p.relative_to(repo)): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }
    gitdir = repo / ".git"
    ref = gitdir / "refs" / "heads" / "main"
    return {
        "tree": tree,
        "index": (gitdir / "index").read_bytes(),
        "HEAD": (gitdir / "HEAD").read_bytes(),
        "main_ref": ref.read_bytes() if ref.exists() else None,
        "main": git(repo, "rev-parse", "refs/heads/main"),
        "status": git(repo, "status", "--porcelain=v1", "--untracked-files=all"),
    }


def local_client(repo: Path, errlog: Any) -> Client:
    # This environment (PYTHONPATH too, not the SDK's bare default) so it runs the code
    # under test; no DRAFTROOM_ settings, so the data dir is the repository's own.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTROOM_")}
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "draftroom", "mcp", "--repo", str(repo)], env=env
    )
    return Client(stdio_client(params, errlog=errlog), mode="legacy")


def body(result: types.CallToolResult) -> dict[str, Any]:
    assert isinstance(result.content[0], types.TextContent)
    data: dict[str, Any] = json.loads(result.content[0].text)
    return data


@pytest.mark.slow
def test_local_mode_works_on_a_sandbox_and_never_touches_the_persons_checkout(
    tmp_path: Path,
) -> None:
    repo = person_repo(tmp_path / "my-project")
    before = snapshot(repo)
    errlog_path = tmp_path / "stderr.log"

    async def first_run() -> dict[str, Any]:
        with errlog_path.open("w") as errlog:
            async with local_client(repo, errlog) as client:
                tools = {t.name: t for t in (await client.list_tools()).tools}
                required = tools["git_commit"].input_schema["required"]
                init = body(await client.call_tool("sandbox_init", {}))
                changes = [
                    {"path": "tracked.txt", "content": "agent version\n"},
                    {"path": "docs/agent.md", "content": "# notes\n"},
                ]
                commit = await client.call_tool(
                    "git_commit", {"message": "Agent edits", "changes": changes}
                )
                second = body(
                    await client.call_tool(
                        "files_write",
                        {"path": "scratch.md", "content": "tmp\n", "message": "Scratch"},
                    )
                )
                rollback = await client.call_tool(
                    "git_rollback_commit", {"commit_sha": second["commit_sha"]}
                )
                to_main = await client.call_tool(
                    "files_write",
                    {"branch": "main", "path": "x.md", "content": "x", "message": "m"},
                )
                on_main = body(
                    await client.call_tool("files_read", {"path": "tracked.txt", "ref": "main"})
                )
                return {
                    "required": required,
                    "init": init,
                    "commit": commit,
                    "rollback": rollback,
                    "to_main": to_main,
                    "on_main": on_main,
                }

    run = anyio.run(first_run)
    assert set(run["required"]) == {"message", "changes"}  # repo_name, reuse_token filled in
    branch = run["init"]["branch"]
    assert branch.startswith("sandbox-") and run["init"]["created"] is False
    assert run["init"]["repo_name"] == "my-project"
    assert not run["commit"].is_error and not run["rollback"].is_error
    assert run["to_main"].is_error
    assert body(run["to_main"])["error"]["code"] == "branch_not_allowed"
    assert run["on_main"]["content"] == "committed\n"  # main's commit, not the edited file

    assert snapshot(repo) == before
    subjects = git(repo, "log", "--format=%s", branch).splitlines()
    assert subjects == ['Revert "Scratch"', "Scratch", "Agent edits", "Initial"]
    assert git(repo, "show", f"{branch}:tracked.txt") == "agent version\n"
    token_file = repo / ".git" / "draftroom" / SANDBOX_FILE
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert json.loads(token_file.read_text())["branch"] == branch
    assert branch in errlog_path.read_text()

    async def second_run() -> tuple[dict[str, Any], dict[str, Any]]:
        with errlog_path.open("w") as errlog:
            async with local_client(repo, errlog) as client:
                init = body(await client.call_tool("sandbox_init", {}))
                read = body(await client.call_tool("files_read", {"path": "docs/agent.md"}))
                return init, read

    again, read = anyio.run(second_run)
    assert again["branch"] == branch and again["created"] is False
    assert read["content"] == "# notes\n"
    assert snapshot(repo) == before
    assert git(repo, "branch", "--list", "sandbox-*").split() == [branch]


def person(*args: str) -> subprocess.CompletedProcess[str]:
    """The person's ``draftroom`` command (the owner, an admin), as a subprocess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTROOM_")}
    return subprocess.run(
        [sys.executable, "-m", "draftroom", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        env=env,
    )


@pytest.mark.slow
def test_in_local_mode_the_agent_asks_for_a_merge_and_only_the_person_approves_it(
    tmp_path: Path,
) -> None:
    """Issue 13, finding 3: ``mcp --repo`` served the owner's admin key; the agent could
    approve its own merge. Now it is an agent; the person approves with ``--repo PATH``."""
    repo = person_repo(tmp_path / "mine")
    main_before = git(repo, "rev-parse", "main")
    admin_tools = {t.operation_id for t in build_registry() if t.scope != "sandbox"}

    async def agent() -> tuple[set[str], dict[str, Any], types.CallToolResult, str]:
        with (tmp_path / "stderr.log").open("w") as errlog:
            async with local_client(repo, errlog) as client:
                listed = {t.name for t in (await client.list_tools()).tools}
                await client.call_tool(
                    "files_write",
                    {"path": "agent.md", "content": "by the agent\n", "message": "Add"},
                )
                asked = body(await client.call_tool("merge_request", {"title": "Agent work"}))
                approve = await client.call_tool("merge_approve", {"id": asked["id"]})
                return listed, asked, approve, client.instructions or ""

    listed, asked, approve, instructions = anyio.run(agent)
    assert listed & admin_tools == set() and "merge_request" in listed
    assert approve.is_error and body(approve)["error"]["code"] == "insufficient_scope"
    assert git(repo, "rev-parse", "main") == main_before
    assert f"draftroom merge approve ID --repo {repo}" in instructions

    listing = person("merge", "list", "--repo", str(repo))
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.startswith(f"#{asked['id']}  pending  mine  ")
    shown = person("merge", "show", str(asked["id"]), "--repo", str(repo), "--stat")
    assert " agent.md | +1 -0" in shown.stdout, shown.stderr
    # With main checked out, approving would pull the person's checkout from under them.
    checked_out = person("merge", "approve", str(asked["id"]), "--repo", str(repo))
    assert checked_out.returncode == 1 and "branch_not_allowed" in checked_out.stderr
    assert git(repo, "rev-parse", "main") == main_before
    git(repo, "switch", "-q", "-c", "elsewhere")
    approved = person("merge", "approve", str(asked["id"]), "--repo", str(repo))
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.startswith(f"merged #{asked['id']} into main at ")
    assert git(repo, "show", "main:agent.md") == "by the agent\n"
    both = person("merge", "list", "--repo", str(repo), "--data-dir", str(tmp_path / "d"))
    assert both.returncode == 2 and "not both" in both.stderr
    nowhere = person("merge", "approve", "1", "--repo", str(tmp_path / "no-repo"))
    assert nowhere.returncode == 1 and "repo_not_found" in nowhere.stderr
    with local_services(repo).database.session() as session:
        rows = [(e.tool, e.outcome, e.error_code) for e in store.list_audit_events(session)]
        keys = {k.id: k for k in store.list_api_keys(session, 1)}
        approvals = [e for e in store.list_audit_events(session) if e.tool == "merge.approve"]
    assert ("merge.approve", "error", "insufficient_scope") in rows
    assert sorted((keys[e.api_key_id].label, e.outcome) for e in approvals if e.api_key_id) == [
        ("local agent", "error"),
        ("local owner", "error"),  # while main was checked out
        ("local owner", "ok"),
    ]


def local_services(repo: Path) -> Services:
    services = Services(Settings(data_dir=local_data_dir(repo)))
    services.settings.data_dir.mkdir(parents=True, exist_ok=True)
    services.database.migrate()
    return services


def test_a_revoked_token_is_renewed_for_the_same_sandbox(tmp_path: Path) -> None:
    repo = person_repo(tmp_path / "work")
    services = local_services(repo)
    principal = agent_principal(services)
    first = local_sandbox(services, build_registry(), principal, repo)
    assert local_sandbox(services, build_registry(), principal, repo) == first
    with services.database.session() as session:
        revoke_reuse_token(session, first.reuse_token.split("_")[1])
    renewed = local_sandbox(services, build_registry(), principal, repo)
    assert renewed.branch == first.branch and renewed.reuse_token != first.reuse_token
    saved = json.loads((services.settings.data_dir / SANDBOX_FILE).read_text())
    assert saved["reuse_token"] == renewed.reuse_token
    assert agent_principal(services) == principal
    with services.database.session() as session:
        events = store.list_audit_events(session, limit=10)
        started = [(e.tool, e.outcome, e.branch, e.detail) for e in events]
    assert started == [("sandbox.init", "ok", first.branch, {"transport": "mcp", "local": True})]


def test_repositories_with_the_same_directory_name_get_distinct_names(tmp_path: Path) -> None:
    one, two = person_repo(tmp_path / "a" / "app"), person_repo(tmp_path / "b" / "app")
    services = Services(Settings(data_dir=tmp_path / "shared"))
    services.settings.data_dir.mkdir()
    services.database.migrate()
    principal = agent_principal(services)
    names = []
    for repo in (one, two):
        names.append(local_sandbox(services, build_registry(), principal, repo).repo_name)
        (services.settings.data_dir / SANDBOX_FILE).unlink()
    assert names == ["app", "app-2"]
    assert repository_name(tmp_path / "x y.git") == "x-y"
    with services.database.session() as session:
        records = store.list_repositories(session, principal.org_id)
        assert sorted(Path(r.path) for r in records) == [one / ".git", two / ".git"]


def test_a_repository_without_main_is_refused_with_what_to_do(tmp_path: Path) -> None:
    repo = person_repo(tmp_path / "old", branch="master")
    services = local_services(repo)
    with pytest.raises(RefNotFound, match="git branch main"):
        local_sandbox(services, build_registry(), agent_principal(services), repo)


@pytest.mark.slow
def test_mcp_repo_on_a_directory_that_is_no_repository_exits_with_an_error(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "draftroom", "mcp", "--repo", str(tmp_path)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("DRAFTROOM_")},
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "repo_not_found" in result.stderr
