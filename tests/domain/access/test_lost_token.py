"""A lost reuse token: naming the sandbox without it is refused, an admin issues a new one.

Finding 4 of issue 13: ``/sandbox/init`` with an existing sandbox's ``branch`` and no token
silently made a new sandbox, and nothing could issue a token for the old one.
"""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from draftroom import store
from draftroom.domain.calls import Services
from tests.support.api import REPO, AdminApi, Api, error, start_sandbox, write


def sandbox_count(services: Services) -> int:
    with services.database.session() as session:
        org = store.get_or_create_org(session, services.settings.org)
        record = store.get_repository(session, org.id, REPO)
        assert record is not None
        return len(store.list_sandboxes(session, repository_id=record.id))


def test_init_naming_an_existing_sandbox_without_its_token_is_refused_not_a_new_sandbox(
    api: Api, services: Services
) -> None:
    sb = start_sandbox(api)
    before = sandbox_count(services)
    for mode in ("branch", "project"):
        body = api.post(
            "/sandbox/init",
            expect=403,
            repo_name=REPO,
            branch=sb["branch"],
            mode=mode,
            project_name="Beacon",
        )
        assert error(body)["code"] == "token_required"
        message = error(body)["message"]
        assert f"draftroom token issue {sb['branch']} --repo {REPO}" in message
        assert "/admin/tokens/issue" in message  # the domain's tool name, rendered as a path
        assert error(body)["details"] == {"repo_name": REPO, "branch": sb["branch"]}
    assert sandbox_count(services) == before
    # A branch no sandbox has claims nothing: a new sandbox, as before.
    fresh = api.post("/sandbox/init", expect=201, repo_name=REPO, branch="sandbox-not-there")
    assert fresh["created"] is True and fresh["branch"] != sb["branch"]
    # With its token, the same call resumes it.
    again = api.post(
        "/sandbox/init", repo_name=REPO, **{k: sb[k] for k in ("branch", "reuse_token")}
    )
    assert again["branch"] == sb["branch"] and again["created"] is False


def test_an_admin_issues_a_new_token_that_resumes_the_same_sandbox(
    api: Api, client: TestClient, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    sb = start_sandbox(api)
    sha = write(api, sb, "notes.md", "kept\n")
    admin = AdminApi(client, services)
    with caplog.at_level(logging.DEBUG):
        issued = admin.post("/admin/tokens/issue", expect=201, repo_name=REPO, branch=sb["branch"])
    token = issued["reuse_token"]
    assert token.startswith("drt_") and token != sb["reuse_token"]
    assert issued["token_id"] == token.split("_")[1] and issued["branch"] == sb["branch"]
    resumed = api.post("/sandbox/init", repo_name=REPO, reuse_token=token)
    assert (resumed["branch"], resumed["head"], resumed["created"]) == (sb["branch"], sha, False)
    read = api.post("/files/read", repo_name=REPO, reuse_token=token, path="notes.md")
    assert read["content"] == "kept\n"
    api.post("/sandbox/status", **sb)  # the old token stays valid
    with services.database.session() as session:
        rows = [
            e for e in store.list_audit_events(session, limit=50) if e.tool == "admin.tokens.issue"
        ]
        dumped = repr([(e.__dict__) for e in store.list_audit_events(session, limit=50)])
    [row] = rows
    assert (row.outcome, row.repo, row.branch, row.token_id) == (
        "ok",
        REPO,
        sb["branch"],
        issued["token_id"],
    )
    assert row.api_key_id == admin.key_id
    secret = token.split("_", 2)[2]
    assert secret not in dumped and secret not in caplog.text

    # Revoking the old token leaves the new one working.
    admin.post("/admin/tokens/revoke", token_id=sb["reuse_token"].split("_")[1])
    assert error(api.post("/sandbox/status", **sb, expect=401))["code"] == "token_revoked"
    api.post("/sandbox/status", repo_name=REPO, reuse_token=token)


def test_issuing_is_refused_to_agents_and_for_unknown_or_archived_sandboxes(
    api: Api, client: TestClient, services: Services
) -> None:
    sb = start_sandbox(api)
    body = api.post("/admin/tokens/issue", expect=403, repo_name=REPO, branch=sb["branch"])
    assert error(body)["code"] == "insufficient_scope"
    admin = AdminApi(client, services)
    unknown = admin.post("/admin/tokens/issue", expect=404, repo_name=REPO, branch="sandbox-x")
    assert "sandbox.list" not in error(unknown)["message"]  # rendered as its path
    assert "/admin/sandboxes" in error(unknown)["message"]
    missing = admin.post("/admin/tokens/issue", expect=404, repo_name="nope", branch=sb["branch"])
    assert error(missing)["code"] == "repo_not_found"
    bad = admin.post("/admin/tokens/issue", expect=422, repo_name=REPO, branch="x" * 251)
    assert error(bad)["code"] == "invalid_request"
    [listed] = [
        s
        for s in admin.get("/admin/sandboxes", repo_name=REPO)["sandboxes"]
        if s["branch"] == sb["branch"]
    ]
    admin.post(f"/admin/sandboxes/{listed['id']}/archive")
    archived = admin.post("/admin/tokens/issue", expect=409, repo_name=REPO, branch=sb["branch"])
    assert error(archived)["code"] == "conflict"
    assert "archived" in error(archived)["message"] and "restore" in error(archived)["message"]
    admin.post(f"/admin/sandboxes/{listed['id']}/restore")
    admin.post("/admin/tokens/issue", expect=201, repo_name=REPO, branch=sb["branch"])


def test_sandbox_list_says_when_each_sandbox_was_last_used(
    api: Api, client: TestClient, services: Services
) -> None:
    used, idle = start_sandbox(api), start_sandbox(api)
    write(api, used, "a.md", "a\n")
    admin = AdminApi(client, services)
    listed = {s["branch"]: s for s in admin.get("/admin/sandboxes", repo_name=REPO)["sandboxes"]}
    assert listed[used["branch"]]["last_used_at"] is not None
    assert listed[idle["branch"]]["last_used_at"] is None
    assert listed[used["branch"]]["created_at"] <= listed[used["branch"]]["last_used_at"]
