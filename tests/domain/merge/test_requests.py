"""Merge requests over HTTP and the CLI: a sandbox asks, only a human merges into main."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from fastapi.testclient import TestClient

from draftroom.domain.calls import Services
from draftroom.tools import build_registry
from tests.support.api import REPO, AdminApi, Api, start_sandbox, write
from tests.support.trees import files, logs, repo_of

REVERTED = ".logs/reverted_commits.yaml"


def test_a_request_previews_the_merge_and_leaves_main_untouched(
    api: Api, services: Services
) -> None:
    main = repo_of(services).head("main")
    sb = start_sandbox(api)
    write(api, sb, "a.md", "one\ntwo\n")

    out = api.post("/merge/request", expect=201, **sb, title="Add a", description="Because.")

    assert out["status"] == "pending" and out["branch"] == sb["branch"]
    assert out["source_sha"] == repo_of(services).head(sb["branch"])
    preview = out["preview"]
    assert preview["fast_forward"] and preview["conflicts"] == []
    assert preview["files"] == [
        {
            "path": "a.md",
            "status": "added",
            "old_path": None,
            "additions": 2,
            "deletions": 0,
            "binary": False,
        }
    ]
    assert (preview["additions"], preview["deletions"], preview["files_total"]) == (2, 0, 1)
    assert repo_of(services).head("main") == main
    status = api.post("/sandbox/status", **sb)
    assert status["state"] == "active"
    assert status["merge_request"]["id"] == out["id"]
    assert status["merge_request"]["status"] == "pending"


@pytest.mark.parametrize("order", [(0, 1), (1, 0)], ids=["first-then-second", "second-then-first"])
def test_two_sandboxes_with_rollbacks_merge_cleanly_in_either_order(
    order: tuple[int, int], api: Api, client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    sandboxes = [start_sandbox(api), start_sandbox(api)]
    for n, sb in enumerate(sandboxes):
        write(api, sb, f"kept{n}.md", f"kept {n}\n")
        oops = write(api, sb, f"oops{n}.md", "oops\n")
        api.post("/git/rollback_commit", **sb, commit_sha=oops, reason=f"oops {n}")
    requests = [
        api.post("/merge/request", expect=201, **sb, title=f"Sandbox {n}")
        for n, sb in enumerate(sandboxes)
    ]
    first, second = (requests[i] for i in order)

    merged = admin.post(f"/admin/merge_requests/{first['id']}/approve", strategy="merge")
    assert merged["status"] == "merged" and merged["preview"]["fast_forward"]
    assert repo_of(services).head("main") == first["source_sha"]
    shown = admin.get(f"/admin/merge_requests/{second['id']}")
    assert shown["preview"]["conflicts"] == [] and shown["preview"]["resolved"] == [REVERTED]
    done = admin.post(f"/admin/merge_requests/{second['id']}/approve", strategy="merge")

    main = repo_of(services).head("main")
    assert done["status"] == "merged" and done["merge_sha"] == main
    assert done["decided_by"] == admin.key_id and done["decided_by_person"] is None
    commit = repo_of(services).log("main", limit=1).commits[0]
    assert commit.parents == [first["source_sha"], second["source_sha"]]
    assert commit.trailers["Draftroom-Approved-By"] == admin.key_id
    assert set(files(services, main)) == {"README.md", "kept0.md", "kept1.md"}
    records = yaml.safe_load(repo_of(services).read_file(main, REVERTED).data)
    assert sorted(r["reason"] for r in records) == ["oops 0", "oops 1"]
    for sb in sandboxes:
        entries = set(logs(services, sb["branch"])) - {REVERTED}
        assert entries <= set(logs(services, main))


def test_a_conflicting_pair_reports_its_conflicts_and_leaves_main_unchanged(
    api: Api, client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    a, b = start_sandbox(api), start_sandbox(api)
    write(api, a, "README.md", "from a\n")
    write(api, b, "README.md", "from b\n")
    write(api, b, "b.md", "bee\n")
    ra = api.post("/merge/request", expect=201, **a, title="A")
    rb = api.post("/merge/request", expect=201, **b, title="B")
    admin.post(f"/admin/merge_requests/{ra['id']}/approve")
    main = repo_of(services).head("main")

    error = admin.post(f"/admin/merge_requests/{rb['id']}/approve", expect=409)["error"]

    assert error["code"] == "merge_conflict"
    assert error["details"]["paths"] == ["README.md"]
    assert repo_of(services).head("main") == main
    shown = admin.get(f"/admin/merge_requests/{rb['id']}")
    assert shown["status"] == "pending" and shown["preview"]["conflicts"] == ["README.md"]
    status = api.post("/sandbox/status", **b)
    assert status["merge_request"]["conflicts"] == ["README.md"]
    assert status["state"] == "active"


def test_agent_keys_and_reuse_tokens_get_403_on_every_admin_path(
    api: Api, client: TestClient, services: Services
) -> None:
    sb = start_sandbox(api)
    write(api, sb, "a.md", "one\n")
    request = api.post("/merge/request", expect=201, **sb, title="A")
    main = repo_of(services).head("main")
    sandbox_id = AdminApi(client, services).get("/admin/sandboxes")["sandboxes"][0]["id"]
    registry = build_registry()
    # local_only tools have no route at all (see test_every_tool_everywhere)
    admin_tools = [tool for tool in registry if tool.scope != "sandbox" and not tool.local_only]
    assert {t.name for t in admin_tools} >= {"merge.approve", "merge.reject", "sandbox.archive"}
    token = {"repo_name": REPO, "reuse_token": sb["reuse_token"]}

    for tool in admin_tools:
        item = request["id"] if tool.name.startswith("merge.") else sandbox_id
        path = tool.path.replace("{id}", str(item))
        for headers, data, status in [
            (api.headers, None, 403),
            (api.headers, token, 403),
            ({"Authorization": f"Bearer {sb['reuse_token']}"}, token, 401),
            ({}, None, 401),
        ]:
            if tool.http_method == "GET":
                response = client.get(path, params=data, headers=headers)
            else:
                response = client.post(path, json=data, headers=headers)
            assert response.status_code == status, (tool.name, response.text)
            if status == 403:
                assert response.json()["error"]["code"] == "insufficient_scope"
    assert client.get("/admin/openapi.json", headers=api.headers).status_code == 403
    assert client.get("/admin/openapi.json").status_code == 401
    assert repo_of(services).head("main") == main
    assert api.post("/sandbox/status", **sb)["merge_request"]["status"] == "pending"


def test_admin_routes_are_documented_only_in_the_admin_schema(
    client: TestClient, services: Services
) -> None:
    gpt = client.get("/openapi.json").json()
    assert not any(path.startswith("/admin") for path in gpt["paths"])

    doc = AdminApi(client, services).get("/admin/openapi.json")

    ops = {op["operationId"] for item in doc["paths"].values() for op in item.values()}
    admin_tools = {tool for tool in build_registry() if tool.scope != "sandbox"}
    assert ops == {tool.operation_id for tool in admin_tools if not tool.local_only}
    assert any(tool.local_only for tool in admin_tools)  # admin.repos.register: the CLI's only
    approve = doc["paths"]["/admin/merge_requests/{id}/approve"]["post"]
    assert [p["name"] for p in approve["parameters"]] == ["id"]
    listing = doc["paths"]["/admin/merge_requests"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"status", "repo_name", "cursor", "limit"}


def test_a_newer_request_supersedes_the_pending_one_and_reject_leaves_main(
    api: Api, client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    main = repo_of(services).head("main")
    sb = start_sandbox(api)
    write(api, sb, "a.md", "one\n")
    old = api.post("/merge/request", expect=201, **sb, title="First try")
    write(api, sb, "a.md", "two\n")
    new = api.post("/merge/request", expect=201, **sb, title="Second try")

    assert admin.get(f"/admin/merge_requests/{old['id']}")["status"] == "superseded"
    error = admin.post(f"/admin/merge_requests/{old['id']}/approve", expect=409)["error"]
    assert error["code"] == "conflict"
    rejected = admin.post(f"/admin/merge_requests/{new['id']}/reject", reason="Not yet")
    assert rejected["status"] == "rejected" and rejected["decision_note"] == "Not yet"
    assert repo_of(services).head("main") == main
    pending = admin.get("/admin/merge_requests", status="pending")
    assert pending == {"merge_requests": [], "next_cursor": None}
    listed = admin.get("/admin/merge_requests", limit=1)
    assert [r["id"] for r in listed["merge_requests"]] == [new["id"]]
    assert (
        admin.get("/admin/merge_requests", cursor=listed["next_cursor"])["merge_requests"][0]["id"]
        == old["id"]
    )


def test_nothing_to_merge_is_refused(api: Api) -> None:
    sb = start_sandbox(api)
    error = api.post("/merge/request", **sb, title="Nothing", expect=400)["error"]
    assert error["code"] == "empty_change_set"


@pytest.mark.slow
def test_cli_shows_the_patch_and_approves_one_commit_onto_main(
    api: Api, services: Services
) -> None:
    main = repo_of(services).head("main")
    sb = start_sandbox(api)
    write(api, sb, "a.md", "one\n")
    request = api.post("/merge/request", expect=201, **sb, title="Add a")
    data = str(services.settings.data_dir)

    def draftroom(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "draftroom", "merge", *args, "--data-dir", data]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    listed = draftroom("list", "--status", "pending")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith(f"#{request['id']}  pending  {REPO}  {sb['branch']}  Add a")
    shown = draftroom("show", str(request["id"]))
    assert shown.returncode == 0, shown.stderr
    assert "diff --git a/a.md b/a.md" in shown.stdout and "+one" in shown.stdout
    assert ".logs/" not in shown.stdout
    stat = draftroom("show", str(request["id"]), "--stat")
    assert " a.md | +1 -0" in stat.stdout and "1 files changed" in stat.stdout
    as_json = json.loads(draftroom("show", str(request["id"]), "--json").stdout)
    assert as_json["id"] == request["id"] and as_json["status"] == "pending"

    approved = draftroom("approve", str(request["id"]))

    assert approved.returncode == 0, approved.stderr
    head = repo_of(services).head("main")
    assert f"merged #{request['id']} into main at {head} (squash)" in approved.stdout
    assert repo_of(services).log("main", limit=1).commits[0].parents == [main]
    again = draftroom("approve", str(request["id"]))
    assert again.returncode == 1 and "is merged" in again.stderr


def test_approval_lands_one_commit_without_the_sandboxs_logs_or_workspace(
    api: Api, client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    main = repo_of(services).head("main")
    out = api.post(
        "/sandbox/init", expect=201, repo_name=REPO, mode="project", project_name="Atlas"
    )
    sb = {"repo_name": REPO, "branch": out["branch"], "reuse_token": out["reuse_token"]}
    api.post("/memory/add", **sb, text="Atlas only")
    first = write(api, sb, "a.md", "one\n")
    oops = write(api, sb, "oops.md", "oops\n")
    api.post("/git/rollback_commit", **sb, commit_sha=oops)
    api.post("/sandbox/undo", **sb)
    api.post("/sandbox/undo", **sb)
    assert repo_of(services).read_file(sb["branch"], "a.md").data == b"one\n" and first
    request = api.post(
        "/merge/request", expect=201, **sb, title="Add a", description="Because we need it."
    )

    done = admin.post(f"/admin/merge_requests/{request['id']}/approve")

    landed = repo_of(services).log("main", limit=1).commits[0]
    assert done["merge_sha"] == landed.sha and landed.parents == [main]
    assert landed.message.startswith("Add a\n\nBecause we need it.\n")
    assert landed.trailers["Draftroom-Sandbox"] == sb["branch"]
    assert landed.trailers["Draftroom-Merge-Request"] == str(request["id"])
    assert landed.trailers["Draftroom-Approved-By"] == admin.key_id
    assert set(files(services, "main")) == {"README.md", "a.md"}
    assert set(logs(services, "main")) == {f".logs/merges/{request['id']}.yaml"}
    record = yaml.safe_load(
        repo_of(services).read_file("main", f".logs/merges/{request['id']}.yaml").data
    )
    assert record["source_sha"] == request["source_sha"] and record["branch"] == sb["branch"]
    diff = client.post("/git/diff", json={**sb}, headers=api.headers)
    assert diff.status_code == 403  # archived with its merge: start a new sandbox


def test_git_diff_leaves_logs_out_unless_asked(api: Api) -> None:
    sb = start_sandbox(api)
    write(api, sb, "a.md", "one\n")

    plain = api.post("/git/diff", **sb)
    every = api.post("/git/diff", **sb, include_logs=True)

    assert [f["path"] for f in plain["files"]] == ["a.md"]
    assert any(f["path"].startswith(".logs/") for f in every["files"])
