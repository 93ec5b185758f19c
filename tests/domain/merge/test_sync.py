"""/sandbox/sync over HTTP: main comes into a sandbox as one undoable commit; conflicts are
reported with their contents and resolved in a second call."""

from __future__ import annotations

import base64

import yaml
from fastapi.testclient import TestClient

from draftroom.domain.calls.services import Services
from tests.support.api import AdminApi, Api, start_sandbox, write
from tests.support.trees import files, repo_of


def head(services: Services, sb: dict[str, str]) -> str:
    return repo_of(services).head(sb["branch"])


def merged_main(api: Api, admin: AdminApi, sb: dict[str, str], strategy: str = "squash") -> None:
    request = api.post("/merge/request", expect=201, **sb, title="First")
    admin.post(f"/admin/merge_requests/{request['id']}/approve", strategy=strategy)


def readme(api: Api, sb: dict[str, str], ref: str | None = None) -> str:
    body = {"ref": ref} if ref else {}
    content: str = api.post("/files/read", **sb, path="README.md", **body)["content"]
    return content


def test_a_conflict_is_resolved_by_sync_and_the_merge_then_goes_through(
    api: Api, client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    a, b = start_sandbox(api), start_sandbox(api)
    original = readme(api, a)
    write(api, a, "README.md", "from a\n")
    write(api, b, "README.md", "from b\n")
    merged_main(api, admin, a)
    stuck = api.post("/merge/request", expect=201, **b, title="B")
    error = admin.post(f"/admin/merge_requests/{stuck['id']}/approve", expect=409)["error"]
    assert error["code"] == "merge_conflict" and "/sandbox/sync" in error["message"]
    before = head(services, b)

    conflict = api.post("/sandbox/sync", **b, expect=409)["error"]

    assert conflict["code"] == "merge_conflict" and head(services, b) == before
    assert conflict["details"]["conflicts"] == [
        {
            "path": "README.md",
            "base": original,
            "ours": "from b\n",
            "theirs": "from a\n",
            "encoding": "utf-8",
            "truncated": False,
        }
    ]
    out = api.post(
        "/sandbox/sync", **b, resolutions=[{"path": "README.md", "content": "from a and b\n"}]
    )
    assert out["resolved"] == ["README.md"] and out["fast_forward"] is False
    assert out["main"] == repo_of(services).head("main") and out["commit_sha"] == head(services, b)
    assert readme(api, b) == "from a and b\n"
    request = api.post("/merge/request", expect=201, **b, title="B again")
    assert request["preview"]["conflicts"] == []
    done = admin.post(f"/admin/merge_requests/{request['id']}/approve")
    assert done["status"] == "merged"
    assert repo_of(services).read_file("main", "README.md").data == b"from a and b\n"


def test_sync_is_one_operation_that_undo_takes_back(
    api: Api, client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    a, b = start_sandbox(api), start_sandbox(api)
    write(api, a, "a.md", "from a\n")
    own = write(api, b, "b.md", "from b\n")
    merged_main(api, admin, a)

    out = api.post("/sandbox/sync", **b)

    assert set(files(services, out["commit_sha"])) == {"README.md", "a.md", "b.md"}
    assert out["files"] == ["a.md"] and out["fast_forward"] is False
    ops = api.post("/sandbox/operations", **b)["operations"]
    assert [(op["sha"], op["tool"]) for op in ops[:2]] == [
        (out["commit_sha"], "sandbox.sync"),
        (own, "files.write"),
    ]
    undone = api.post("/sandbox/undo", **b)
    assert undone["undone"] == [out["commit_sha"]] and undone["restored_to"] == own
    assert set(files(services, head(services, b))) == {"README.md", "b.md"}
    redone = api.post("/sandbox/undo", **b)
    assert set(files(services, redone["commit_sha"])) == {"README.md", "a.md", "b.md"}
    again = api.post("/sandbox/undo", **b, steps=4)
    assert set(files(services, again["commit_sha"])) == {"README.md"}


def test_a_sandbox_without_commits_of_its_own_takes_mains_files_and_can_undo_it(
    api: Api, client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    a, b = start_sandbox(api), start_sandbox(api)
    start_head = head(services, b)
    write(api, a, "a.md", "from a\n")
    merged_main(api, admin, a)

    out = api.post("/sandbox/sync", **b)

    assert out["fast_forward"] is True
    assert files(services, out["commit_sha"]) == files(services, "main")
    assert api.post("/sandbox/status", **b)["behind"] == 0
    rolled = api.post("/git/rollback_commit", **b, commit_sha=out["commit_sha"])
    assert files(services, rolled["revert_sha"]) == files(services, start_head)
    nothing = api.post("/sandbox/sync", **b, expect=400)["error"]
    assert nothing["code"] == "empty_change_set"


def test_resolutions_must_name_exactly_the_conflicting_paths(
    api: Api, client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    a, b = start_sandbox(api), start_sandbox(api)
    for sb, who in ((a, "a"), (b, "b")):
        api.post(
            "/git/commit",
            **sb,
            message="Two files",
            changes=[
                {"path": "README.md", "content": f"{who}\n"},
                {"path": "x.md", "content": f"{who}\n"},
            ],
        )
    merged_main(api, admin, a)
    before = head(services, b)

    stray = [{"path": "other.md", "content": "?"}, {"path": "x.md", "content": "ab\n"}]
    wrong = api.post("/sandbox/sync", **b, resolutions=stray, expect=400)["error"]
    partial = api.post(
        "/sandbox/sync", **b, resolutions=[{"path": "x.md", "content": "ab\n"}], expect=409
    )["error"]

    assert wrong["details"]["paths"] == ["other.md"]
    assert partial["code"] == "merge_conflict" and partial["details"]["paths"] == ["README.md"]
    assert [c["path"] for c in partial["details"]["conflicts"]] == ["README.md"]
    assert head(services, b) == before


def test_binary_and_large_conflicts_are_encoded_and_cut_to_fit_one_answer(
    api: Api, client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    a, b = start_sandbox(api), start_sandbox(api)
    big = {sb["branch"]: "x" * 90_000 + who for sb, who in ((a, "a"), (b, "b"))}
    for sb, who in ((a, b"\x00a"), (b, b"\x00b")):
        api.post(
            "/git/commit",
            **sb,
            message="Binary and big",
            changes=[
                {
                    "path": "blob.bin",
                    "content": base64.b64encode(who).decode(),
                    "encoding": "base64",
                },
                {"path": "big.txt", "content": big[sb["branch"]]},
            ],
        )
    merged_main(api, admin, a)

    response = client.post("/sandbox/sync", json=b, headers=api.headers)

    assert response.status_code == 409 and len(response.content) < 60_000
    conflicts = {c["path"]: c for c in response.json()["error"]["details"]["conflicts"]}
    assert conflicts["blob.bin"]["encoding"] == "base64"
    assert base64.b64decode(conflicts["blob.bin"]["theirs"]) == b"\x00a"
    assert conflicts["blob.bin"]["base"] is None and not conflicts["blob.bin"]["truncated"]
    assert conflicts["big.txt"]["truncated"] and conflicts["big.txt"]["encoding"] == "utf-8"
    assert big[a["branch"]].startswith(conflicts["big.txt"]["theirs"])
    resolved = [
        {"path": "blob.bin", "content": base64.b64encode(b"\x00ab").decode(), "encoding": "base64"},
        {"path": "big.txt", "content": "short\n"},
    ]
    api.post("/sandbox/sync", **b, resolutions=resolved)
    blob = repo_of(services).read_file(head(services, b), "blob.bin").data
    assert blob == b"\x00ab"
    assert repo_of(services).read_file(head(services, b), "big.txt").data == b"short\n"


def test_logs_lists_never_conflict_in_a_sync(
    api: Api, client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    a, b = start_sandbox(api), start_sandbox(api)
    for sb in (a, b):
        oops = write(api, sb, "oops.md", sb["branch"])
        api.post("/git/rollback_commit", **sb, commit_sha=oops, reason=sb["branch"])
    merged_main(api, admin, a, strategy="merge")

    out = api.post("/sandbox/sync", **b)

    assert out["resolved"] == []
    data = repo_of(services).read_file(head(services, b), ".logs/reverted_commits.yaml").data
    assert sorted(r["reason"] for r in yaml.safe_load(data)) == sorted([a["branch"], b["branch"]])
