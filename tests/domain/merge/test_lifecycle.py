"""Sandbox lifecycle over HTTP: archive and restore (admin), listing, and how status reports it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from draftroom.domain.calls import Services
from tests.support.api import REPO, AdminApi, Api, start_sandbox, write
from tests.support.trees import repo_of


def sandbox_id(admin: AdminApi, branch: str) -> int:
    found = [s for s in admin.get("/admin/sandboxes")["sandboxes"] if s["branch"] == branch]
    assert len(found) == 1
    number: int = found[0]["id"]
    return number


def test_an_archived_sandboxs_token_is_refused_until_an_admin_restores_it(
    api: Api, client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    sb = start_sandbox(api)
    head = write(api, sb, "a.md", "one\n")
    number = sandbox_id(admin, sb["branch"])

    archived = admin.post(f"/admin/sandboxes/{number}/archive")

    assert archived["status"] == "archived" and archived["state"] == "archived"
    assert archived["head"] == head
    assert not repo_of(services).branch_exists(sb["branch"])
    assert repo_of(services).resolve(f"refs/draftroom/archive/{sb['branch']}") == head
    refused = [
        api.post("/sandbox/status", **sb, expect=403)["error"],
        api.post("/files/read", **sb, path="a.md", expect=403)["error"],
        api.post("/sandbox/operations", **sb, expect=403)["error"],
    ]
    assert all(e["code"] == "forbidden" and "archived" in e["message"] for e in refused)
    error = admin.post(f"/admin/sandboxes/{number}/archive", expect=409)["error"]
    assert error["code"] == "conflict"

    restored = admin.post(f"/admin/sandboxes/{number}/restore")

    assert restored["status"] == "active" and restored["head"] == head
    assert repo_of(services).head(sb["branch"]) == head
    assert api.post("/files/read", **sb, path="a.md")["content"] == "one\n"
    write(api, sb, "b.md", "two\n")
    assert admin.post(f"/admin/sandboxes/{number}/restore", expect=409)["error"]["code"] == (
        "conflict"
    )


def test_sandboxes_are_listed_newest_first_with_filters_and_pages(
    api: Api, client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    first, second, third = start_sandbox(api), start_sandbox(api), start_sandbox(api)
    admin.post(f"/admin/sandboxes/{sandbox_id(admin, second['branch'])}/archive")

    every = admin.get("/admin/sandboxes")["sandboxes"]
    archived = admin.get("/admin/sandboxes", status="archived")["sandboxes"]
    active = admin.get("/admin/sandboxes", status="active", repo_name=REPO)["sandboxes"]
    page = admin.get("/admin/sandboxes", limit=2)
    rest = admin.get("/admin/sandboxes", limit=2, cursor=page["next_cursor"])

    assert [s["branch"] for s in every] == [third["branch"], second["branch"], first["branch"]]
    assert [s["branch"] for s in archived] == [second["branch"]]
    assert [s["branch"] for s in active] == [third["branch"], first["branch"]]
    assert [s["branch"] for s in page["sandboxes"] + rest["sandboxes"]] == [
        s["branch"] for s in every
    ]
    assert rest["next_cursor"] is None
    error = admin.get("/admin/sandboxes", repo_name="nope", expect=404)["error"]
    assert error["code"] == "repo_not_found"
    assert admin.get("/admin/sandboxes", status="gone", expect=422)["error"]["code"] == (
        "invalid_request"
    )


def test_a_merged_sandbox_says_so_until_it_moves_on(
    api: Api, client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    sb = start_sandbox(api)
    write(api, sb, "a.md", "one\n")
    request = api.post("/merge/request", expect=201, **sb, title="Add a")
    admin.post(f"/admin/merge_requests/{request['id']}/approve", strategy="merge")

    status = api.post("/sandbox/status", **sb)

    assert status["state"] == "merged"
    assert status["merge_request"] == {
        "id": request["id"],
        "status": "merged",
        "title": "Add a",
        "merge_sha": request["source_sha"],
        "conflicts": [],
    }
    listed = admin.get("/admin/sandboxes", status="merged")["sandboxes"]
    assert [(s["branch"], s["state"]) for s in listed] == [(sb["branch"], "merged")]
    write(api, sb, "b.md", "more\n")
    assert api.post("/sandbox/status", **sb)["state"] == "active"


def test_a_squash_merged_sandbox_is_archived_and_its_status_still_says_merged(
    api: Api, client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    sb = start_sandbox(api)
    head = write(api, sb, "a.md", "one\n")
    request = api.post("/merge/request", expect=201, **sb, title="Add a")

    done = admin.post(f"/admin/merge_requests/{request['id']}/approve")

    assert done["preview"]["strategy"] == "squash"
    assert not repo_of(services).branch_exists(sb["branch"])
    assert repo_of(services).resolve(f"refs/draftroom/archive/{sb['branch']}") == head
    status = api.post("/sandbox/status", **sb)
    assert (status["state"], status["head"]) == ("merged", head)
    assert status["merge_request"]["merge_sha"] == repo_of(services).head("main")
    listed = admin.get("/admin/sandboxes", status="archived")["sandboxes"]
    assert [(s["branch"], s["state"]) for s in listed] == [(sb["branch"], "merged")]
    refused = api.post("/files/write", **sb, path="b.md", content="x", message="More", expect=403)[
        "error"
    ]
    assert "merged into main" in refused["message"] and "/sandbox/init" in refused["message"]
    restored = admin.post(f"/admin/sandboxes/{sandbox_id(admin, sb['branch'])}/restore")
    assert restored["state"] == "merged"
    write(api, sb, "b.md", "more\n")
    assert api.post("/sandbox/status", **sb)["state"] == "active"


def test_status_shows_the_last_rollbacks_newest_first(api: Api) -> None:
    sb = start_sandbox(api)
    first = write(api, sb, "a.md", "one\n")
    second = write(api, sb, "b.md", "two\n")
    api.post("/git/rollback_commit", **sb, commit_sha=first, reason="not a")
    api.post("/git/rollback_commit", **sb, commit_sha=second)

    rollbacks = api.post("/sandbox/status", **sb)["last_rollbacks"]

    assert [(r["reverted_sha"], r["reason"], r["files"]) for r in rollbacks] == [
        (second, "", ["b.md"]),
        (first, "not a", ["a.md"]),
    ]
    assert all(r["at"] for r in rollbacks)
