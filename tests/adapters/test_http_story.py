"""The whole sandbox loop over HTTP, against the real app and a real repository."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from sqlalchemy import select

from draftroom import store
from draftroom.domain.access import sandboxes
from draftroom.domain.calls import Services
from tests.support.api import Api, start_sandbox

REPO = "demo"


def repo_of(services: Services, *args: str) -> str:
    path = services.settings.repos_dir / "demo.git"
    return subprocess.run(
        ["git", "-C", str(path), *args], check=True, capture_output=True, text=True
    ).stdout


def test_init_write_commit_read_history_diff_rollback_status(api: Api, services: Services) -> None:
    main_before = repo_of(services, "rev-parse", "main")
    init = api.post("/sandbox/init", expect=201, repo_name=REPO, mode="branch")
    assert re.fullmatch(r"sandbox-[a-z]+-[a-z]+(-[0-9a-f]{4})?", init["branch"])
    assert init["created"] is True and init["reuse_token"].startswith("drt_")
    sb = {"repo_name": REPO, "branch": init["branch"], "reuse_token": init["reuse_token"]}

    written = api.post(
        "/files/write", **sb, path="notes/hello.md", content="hi\n", message="Add hello"
    )
    assert written["branch"] == init["branch"] and written["files"] == ["notes/hello.md"]
    assert written["changelog_entry"]["path"].startswith(".logs/")

    committed = api.post(
        "/git/commit",
        **sb,
        message="Add app, drop hello",
        changes=[
            {"path": "src/app.py", "content": "print('hi')\n"},
            {"path": "notes/hello.md", "delete": True},
        ],
    )
    assert sorted(committed["files"]) == ["notes/hello.md", "src/app.py"]

    read = api.post("/files/read", **sb, path="src/app.py")
    assert read == {
        "path": "src/app.py",
        "content": "print('hi')\n",
        "encoding": "utf-8",
        "size": 12,
        "offset": 0,
        "next_offset": None,
        "truncated": False,
    }
    history = api.post("/git/history", **sb)
    tools = [c["tool"] for c in history["commits"][:2]]
    assert tools == ["git.commit", "files.write"]
    assert history["commits"][0]["sha"] == committed["commit_sha"]

    diff = api.post("/git/diff", **sb)
    statuses = {f["path"]: f["status"] for f in diff["files"] if not f["path"].startswith(".logs/")}
    assert statuses == {"src/app.py": "added"}

    rolled = api.post(
        "/git/rollback_commit", **sb, commit_sha=committed["commit_sha"], reason="oops"
    )
    assert rolled["reverted_sha"] == committed["commit_sha"]
    log = api.post("/files/read", **sb, path=".logs/reverted_commits.yaml")
    entries = yaml.safe_load(log["content"])
    assert entries[-1]["reverted_sha"] == committed["commit_sha"]
    assert entries[-1]["reason"] == "oops"
    back = api.post("/files/read", **sb, path="notes/hello.md")
    assert back["content"] == "hi\n"
    api.post("/files/read", **sb, path="src/app.py", expect=404)

    status = api.post("/sandbox/status", **sb)
    assert status["head"] == rolled["revert_sha"]
    assert status["ahead"] == 3 and status["behind"] == 0 and status["base"] == "main"

    assert repo_of(services, "rev-parse", "main") == main_before
    fsck = subprocess.run(
        ["git", "-C", str(services.settings.repos_dir / "demo.git"), "fsck", "--strict"],
        capture_output=True,
        text=True,
    )
    assert fsck.returncode == 0, fsck.stderr


def test_a_token_opens_only_its_own_branch(api: Api) -> None:
    first, second = start_sandbox(api), start_sandbox(api)
    api.post("/files/write", **first, path="a.txt", content="a", message="a")
    other = {**second, "branch": first["branch"]}
    denied = api.post("/files/read", **other, path="a.txt", expect=403)
    assert denied["error"]["code"] == "branch_not_allowed"
    denied = api.post("/files/read", **second, path="a.txt", ref=first["branch"], expect=403)
    assert denied["error"]["code"] == "branch_not_allowed"
    denied = api.post(
        "/files/write",
        **{**second, "branch": "main"},
        path="x",
        content="x",
        message="x",
        expect=403,
    )
    assert denied["error"]["code"] == "branch_not_allowed"
    main_read = api.post("/files/read", **second, path="README.md", ref="main")
    assert "demo" in main_read["content"]


def test_a_token_is_refused_for_another_repository(api: Api, services: Services) -> None:
    sb = start_sandbox(api)
    with services.database.session() as session:
        org = store.get_or_create_org(session, "default")
        from draftroom.domain.repos import register_repository

        register_repository(services, session, org.id, "other")
    denied = api.post("/files/read", **{**sb, "repo_name": "other"}, path="README.md", expect=404)
    assert denied["error"]["code"] == "repo_not_found"  # as if it did not exist


def test_reuse_token_resumes_the_same_branch(api: Api) -> None:
    sb = start_sandbox(api)
    again = api.post("/sandbox/init", repo_name=REPO, mode="branch", reuse_token=sb["reuse_token"])
    assert again["created"] is False and again["branch"] == sb["branch"]
    assert again["reuse_token"] is None


def test_expired_and_revoked_tokens_are_refused(api: Api, services: Services) -> None:
    expired, revoked = start_sandbox(api), start_sandbox(api)
    with services.database.session() as session:
        tokens = session.scalars(select(store.ReuseToken)).all()
        by_branch = {}
        for token in tokens:
            sandbox = store.get_sandbox_by_id(session, token.sandbox_id)
            assert sandbox is not None
            by_branch[sandbox.branch] = token
        by_branch[expired["branch"]].expires_at = datetime.now(UTC) - timedelta(seconds=1)
        by_branch[revoked["branch"]].revoked_at = datetime.now(UTC)
    body = api.post("/sandbox/status", **expired, expect=401)
    assert body["error"]["code"] == "token_expired"
    body = api.post("/sandbox/status", **revoked, expect=401)
    assert body["error"]["code"] == "token_revoked"


def test_logs_are_read_only_for_file_tools(api: Api) -> None:
    sb = start_sandbox(api)
    body = api.post("/files/write", **sb, path=".logs/x.yaml", content="x", message="x", expect=403)
    assert body["error"]["code"] == "read_only_path"
    body = api.post(
        "/git/commit",
        **sb,
        message="m",
        changes=[{"path": ".logs/changelog/x", "delete": True}],
        expect=403,
    )
    assert body["error"]["code"] == "read_only_path"


def test_requests_without_a_valid_api_key_are_401(api: Api) -> None:
    response = api.client.post("/sandbox/status", json={})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    bad = api.client.post("/sandbox/status", json={}, headers={"Authorization": "Bearer drk_x_y"})
    assert bad.status_code == 401


def test_bad_input_is_a_typed_4xx(api: Api) -> None:
    sb = start_sandbox(api)
    body = api.post(
        "/files/write", **sb, path="../etc/passwd", content="x", message="x", expect=400
    )
    assert body["error"]["code"] == "invalid_path"
    body = api.post("/git/commit", **sb, message="m", changes=[], expect=422)
    assert body["error"]["code"] == "invalid_request"
    body = api.post("/files/read", **sb, path="missing.txt", expect=404)
    assert body["error"]["code"] == "path_not_found"
    response = api.client.post("/files/read", content=b"{not json", headers=api.headers)
    assert response.status_code == 422


def test_every_call_is_audited_without_secrets(api: Api, services: Services) -> None:
    sb = start_sandbox(api)
    api.post("/files/write", **sb, path="a.txt", content="secret-content", message="a")
    api.post("/files/read", **sb, path="nope", expect=404)
    with services.database.session() as session:
        events = session.scalars(select(store.AuditEvent)).all()
        rows = [(e.tool, e.outcome, e.error_code, e.branch) for e in events]
        dumped = repr([vars(e) for e in events])
    assert ("files.write", "ok", None, sb["branch"]) in rows
    assert ("files.read", "error", "path_not_found", sb["branch"]) in rows
    assert sb["reuse_token"] not in dumped and "secret-content" not in dumped


def test_a_name_taken_between_check_and_create_is_skipped(
    api: Api, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another caller creates the branch after our free-name check: we pick again, no 409."""
    services.git(services.settings.repos_dir / "demo.git").create_branch("sandbox-brave-otter")
    names = iter(["sandbox-brave-otter", "sandbox-calm-fox"])
    monkeypatch.setattr(sandboxes, "new_branch_name", lambda taken: next(names))
    assert start_sandbox(api)["branch"] == "sandbox-calm-fox"
