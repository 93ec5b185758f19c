"""A workspace and its records belong to their sandbox, even after another sandbox's
project was merged into main with all its files (``strategy: "merge"``)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from draftroom.domain.calls.services import Services
from tests.support.api import REPO, AdminApi, Api, start_sandbox, write
from tests.support.trees import repo_of


def project(api: Api, name: str, goal: str) -> dict[str, str]:
    out = api.post(
        "/sandbox/init", expect=201, repo_name=REPO, mode="project", project_name=name,
        goals=[goal], template="software",
    )  # fmt: skip
    assert len(out["scaffolded"]) == 3, out
    return {"repo_name": REPO, "branch": out["branch"], "reuse_token": out["reuse_token"]}


def merged_atlas(api: Api, admin: AdminApi) -> dict[str, str]:
    atlas = project(api, "Atlas", "Map everything")
    api.post("/memory/add", **atlas, text="Atlas uses the old importer")
    oops = write(api, atlas, "oops.md", "oops\n")
    api.post("/git/rollback_commit", **atlas, commit_sha=oops, reason="atlas oops")
    request = api.post("/merge/request", expect=201, **atlas, title="Atlas")
    admin.post(f"/admin/merge_requests/{request['id']}/approve", strategy="merge")
    return atlas


def test_a_new_project_gets_its_own_workspace_after_another_was_merged(
    api: Api, client: TestClient, services: Services
) -> None:
    merged_atlas(api, AdminApi(client, services))
    assert repo_of(services).read_file("main", "memory.yaml").data  # Atlas's files are on main

    beacon = project(api, "Beacon", "Light the way")

    briefing = api.post("/context/resume", **beacon)["briefing"]
    assert "# Project: Beacon" in briefing and "Light the way" in briefing
    assert "Atlas" not in briefing and "atlas oops" not in briefing
    memories = api.post("/memory/query", **beacon)["items"]
    assert {m["text"] for m in memories} == {"Beacon", "Light the way"}
    tasks = api.post("/tasks/list", **beacon)["items"]
    assert len(tasks) == 3
    again = api.post("/sandbox/init", **beacon, mode="project", project_name="Beacon")
    assert again["scaffolded"] == []  # its own workspace is kept as it is


def test_rollbacks_merged_in_from_main_are_not_this_sandboxs(
    api: Api, client: TestClient, services: Services
) -> None:
    merged_atlas(api, AdminApi(client, services))
    sb = start_sandbox(api)
    reverted = repo_of(services).read_file(sb["branch"], ".logs/reverted_commits.yaml").data
    assert b"atlas oops" in reverted  # inherited from main with Atlas's merge

    assert api.post("/sandbox/status", **sb)["last_rollbacks"] == []
    exported = api.post("/system/export", **sb, limit=200)["records"]
    assert [r for r in exported if r["type"] in ("rollback", "change")] == []
    mine = write(api, sb, "mine.md", "mine\n")
    api.post("/git/rollback_commit", **sb, commit_sha=mine, reason="my oops")

    status = api.post("/sandbox/status", **sb)
    assert [r["reason"] for r in status["last_rollbacks"]] == ["my oops"]
    exported = api.post("/system/export", **sb, limit=200)["records"]
    assert [r["data"]["reason"] for r in exported if r["type"] == "rollback"] == ["my oops"]
    changes = [r["data"]["tool"] for r in exported if r["type"] == "change"]
    assert changes == ["git.rollback_commit", "files.write"]
    briefing = api.post("/context/resume", **sb)["briefing"]
    assert "my oops" in briefing and "atlas oops" not in briefing
    assert "Atlas" not in briefing.split("## Last changes")[1]
