"""API versions through the public surface: ``/v1`` and ``/v2`` routes, v2's write receipts
checked with git itself, deprecation headers, the committed snapshots and GPT limits of each
version, and MCP serving the newest version or a pinned one."""

from __future__ import annotations

import base64
import json
import subprocess
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient

from draftroom import store
from draftroom.adapters.openapi import MAX_DESCRIPTION, MAX_OPERATIONS, MAX_PARAMETER_DESCRIPTION
from draftroom.domain.calls import Services
from draftroom.tools.toolsets import TOOLSETS
from draftroom.tools.versions import API_VERSIONS, LATEST
from tests.adapters.test_mcp import http_mcp_client, outcome_of, serving, stdio_client_for
from tests.support.api import Api, error, new_key, start_sandbox
from tests.support.trees import repo_of

SNAPSHOTS = Path(__file__).resolve().parents[2] / "api"


def git(services: Services, *args: str) -> str:
    """Real git on the bare repository the sandbox lives in."""
    gitdir = str(repo_of(services).path)
    done = subprocess.run(["git", "--git-dir", gitdir, *args], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else f"<exit {done.returncode}>"


def check_receipts(services: Services, branch: str, receipts: list[dict[str, Any]]) -> None:
    """Each receipt is what ``git rev-parse BRANCH:PATH`` and ``git cat-file -s`` say."""
    assert receipts, "a write lands at least one path"
    for receipt in receipts:
        blob = git(services, "rev-parse", f"refs/heads/{branch}:{receipt['path']}")
        if receipt.get("deleted"):
            assert receipt == {"path": receipt["path"], "deleted": True}
            assert blob.startswith("<exit")  # gone from the branch
            continue
        assert set(receipt) == {"path", "blob_id", "size"}
        assert receipt["blob_id"] == blob
        assert receipt["size"] == int(git(services, "cat-file", "-s", blob))


def test_v1_and_v2_git_commit_both_work_over_http(api: Api, services: Services) -> None:
    sb = start_sandbox(api)
    v1 = api.post("/v1/git/commit", **sb, message="v1", changes=[{"path": "a.md", "content": "1"}])
    plain = api.post(
        "/git/commit", **sb, message="plain", changes=[{"path": "a.md", "content": "2"}]
    )
    assert set(v1) == set(plain) == {"commit_sha", "branch", "files", "changelog_entry"}
    assert v1["files"] == ["a.md"]

    data = bytes(range(256)) * 3  # binary: the stored size is the bytes', not the base64 text's
    changes = [
        {"path": "bin/blob.dat", "content": base64.b64encode(data).decode(), "encoding": "base64"},
        {"path": "a.md", "delete": True},
    ]
    v2 = api.post("/v2/git/commit", **sb, message="v2", changes=changes)
    assert v2["commit_sha"] == git(services, "rev-parse", f"refs/heads/{sb['branch']}")
    assert sorted(v2["paths"]) == ["a.md", "bin/blob.dat"]
    check_receipts(services, sb["branch"], v2["receipts"])
    by_path = {r["path"]: r for r in v2["receipts"]}
    assert by_path["a.md"] == {"path": "a.md", "deleted": True}
    assert by_path["bin/blob.dat"]["size"] == len(data)
    assert any(path.startswith(".logs/") for path in by_path)  # the changelog landed too
    with services.database.session() as session:
        rows = store.list_audit_events(session, commit_sha=v2["commit_sha"])
        assert [(row.tool, (row.detail or {}).get("api_version")) for row in rows] == [
            ("git.commit", 2)
        ]
        rows = store.list_audit_events(session, commit_sha=v1["commit_sha"])
        assert [(row.tool, (row.detail or {}).get("api_version")) for row in rows] == [
            ("git.commit", None)
        ]


def test_v2_writes_answer_receipts_and_use_v2_names(api: Api, services: Services) -> None:
    sb = start_sandbox(api)
    branch = sb["branch"]
    written = api.post("/v2/files/write", **sb, path="n.md", content="note\n", message="m")
    check_receipts(services, branch, written["receipts"])
    assert written["paths"] == ["n.md"]
    back = api.post("/v2/git/rollback_commit", **sb, commit_sha=written["commit_sha"])
    assert back["reverted_sha"] == written["commit_sha"] and "revert_sha" not in back
    check_receipts(services, branch, back["receipts"])
    assert {"path": "n.md", "deleted": True} in back["receipts"]
    api.post("/v2/files/write", **sb, path="o.md", content="o", message="m")
    restored = api.post("/v2/git/restore", **sb, to="main")
    assert "restored_to_sha" in restored and "restored_to" not in restored
    check_receipts(services, branch, restored["receipts"])
    undone = api.post("/v2/sandbox/undo", **sb, steps=1)
    assert undone["paths"] == ["o.md"] and undone["restored_to_sha"]
    check_receipts(services, branch, undone["receipts"])

    memory = api.post("/v2/memory/add", **sb, text="Ship on Fridays", kind="decision")
    check_receipts(services, branch, memory["receipts"])
    found = api.post("/memory/query", **sb)["items"]
    assert [(m["id"], m["kind"]) for m in found] == [(memory["id"], "decision")]
    refused = api.post("/v2/reasoning/log", expect=422, **sb, entry="x")
    assert error(refused)["code"] == "invalid_request"  # v2 says text, as reasoning.read does
    thought = api.post("/v2/reasoning/log", **sb, text="Because Fridays are quiet")
    check_receipts(services, branch, thought["receipts"])
    read = api.post("/reasoning/read", **sb)["items"]
    assert read[0]["text"] == "Because Fridays are quiet"
    task = api.post("/v2/tasks/create", **sb, title="Ship it")
    check_receipts(services, branch, task["receipts"])
    moved = api.post("/v2/tasks/update", **sb, id=task["id"], status="doing")
    assert moved["task"]["status"] == "doing"
    check_receipts(services, branch, moved["receipts"])
    forgot = api.post("/v2/memory/delete", **sb, id=memory["id"])
    check_receipts(services, branch, forgot["receipts"])
    assert api.post("/memory/query", **sb)["items"] == []


def test_deprecated_variants_carry_headers_and_the_schema_mark(api: Api) -> None:
    sb = start_sandbox(api)
    body = {**sb, "message": "m", "changes": [{"path": "a.md", "content": "a"}]}
    for route, status in (("/git/commit", 200), ("/v1/git/commit", 200), ("/v1/git/commit", 422)):
        sent = body if status == 200 else {**sb, "changes": []}
        response = api.client.post(route, json=sent, headers=api.headers)
        assert response.status_code == status, response.text
        assert (
            response.headers["Deprecation"]
            == f"@{int(datetime(2026, 12, 4, tzinfo=UTC).timestamp())}"
        )
        sunset = parsedate_to_datetime(response.headers["Sunset"])
        assert sunset == datetime(2027, 12, 31, tzinfo=UTC)
        assert response.headers["Sunset"].endswith(" GMT")
        assert response.headers["Link"] == '</v2/git/commit>; rel="successor-version"'
    newer = api.client.post("/v2/git/commit", json=body, headers=api.headers)
    assert newer.status_code == 200 and "Deprecation" not in newer.headers
    read = api.client.post("/v1/files/read", json={**sb, "path": "a.md"}, headers=api.headers)
    assert read.status_code == 200 and "Deprecation" not in read.headers
    v1 = api.client.get("/v1/openapi.json").json()["paths"]
    v2 = api.client.get("/v2/openapi.json").json()["paths"]
    assert v1["/git/commit"]["post"]["deprecated"] is True
    assert "deprecated" not in v2["/git/commit"]["post"]
    assert "deprecated" not in v1["/files/read"]["post"]


@pytest.mark.parametrize("version", API_VERSIONS)
def test_each_version_schema_is_its_committed_snapshot(client: TestClient, version: int) -> None:
    served = client.get(f"/v{version}/openapi.json").json()
    assert served.pop("servers") == [{"url": f"https://draftroom.example/v{version}"}]
    snapshot = json.loads((SNAPSHOTS / f"openapi-v{version}.json").read_text("utf-8"))
    assert served == snapshot, f"run: draftroom api snapshot v{version} (see docs/api-versions.md)"


def test_the_unversioned_schema_is_the_newest_version(client: TestClient) -> None:
    assert client.get("/openapi.json").json() == client.get(f"/v{LATEST}/openapi.json").json()
    core = client.get("/openapi.json?toolsets=core").json()
    assert core == client.get(f"/v{LATEST}/openapi.json?toolsets=core").json()
    bad = client.get("/v1/openapi.json?toolsets=nope")
    assert bad.status_code == 400 and "valid toolsets" in bad.json()["error"]["message"]


def descriptions(node: Any) -> list[str]:
    """Every ``description`` string under ``node`` (a property named so is a dict: skipped)."""
    if isinstance(node, list):
        return [text for item in node for text in descriptions(item)]
    if not isinstance(node, dict):
        return []
    own = [node["description"]] if isinstance(node.get("description"), str) else []
    return own + [text for value in node.values() for text in descriptions(value)]


@pytest.mark.parametrize("version", API_VERSIONS)
def test_gpt_limits_hold_for_each_version(client: TestClient, version: int) -> None:
    doc = client.get(f"/v{version}/openapi.json").json()
    for item in doc["paths"].values():
        for operation in item.values():
            assert len(operation.get("description", "")) <= MAX_DESCRIPTION
            assert len(operation.get("summary", "")) <= MAX_DESCRIPTION
    for text in descriptions(doc["components"]):
        assert len(text) <= MAX_PARAMETER_DESCRIPTION
    for toolset in TOOLSETS:
        selected = client.get(f"/v{version}/openapi.json?toolsets={toolset}").json()
        count = sum(len(item) for item in selected["paths"].values())
        assert count <= MAX_OPERATIONS, toolset


def test_a_retried_key_never_replays_one_version_as_another(api: Api, services: Services) -> None:
    sb = start_sandbox(api)
    body = {**sb, "message": "m", "changes": [{"path": "a.md", "content": "a"}]}
    headers = {**api.headers, "Idempotency-Key": "k-1"}
    first = api.client.post("/v1/git/commit", json=body, headers=headers)
    again = api.client.post("/v1/git/commit", json=body, headers=headers)
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    other = api.client.post("/v2/git/commit", json=body, headers=headers)
    assert other.status_code == 422
    assert error(other.json())["code"] == "idempotency_key_reused"
    assert git(services, "rev-list", "--count", f"refs/heads/{sb['branch']}") == str(
        int(git(services, "rev-list", "--count", "refs/heads/main")) + 1
    )


def test_mcp_serves_the_newest_version_and_pins_one_by_query(services: Services) -> None:
    key = new_key(services)

    async def run(base: str) -> tuple[Any, ...]:
        async with http_mcp_client(f"{base}/mcp", key, "auto") as client:
            init = outcome_of(await client.call_tool("sandbox_init", {"repo_name": "demo"}))[1]
            sb = {"repo_name": "demo", "reuse_token": init["reuse_token"]}
            change = {"path": "m.md", "content": "over mcp\n"}
            commit = outcome_of(
                await client.call_tool("git_commit", {**sb, "message": "m", "changes": [change]})
            )
            newest = {t.name: t for t in (await client.list_tools()).tools}
        async with http_mcp_client(f"{base}/mcp?api=v1", key, "auto") as client:
            pinned = {t.name: t for t in (await client.list_tools()).tools}
        return init["branch"], commit, newest, pinned

    with serving(services) as base:
        branch, (code, commit), newest, pinned = anyio.run(run, base)
    assert code is None
    check_receipts(services, branch, commit["receipts"])
    assert "receipts" in (newest["git_commit"].output_schema or {})["properties"]
    assert "Deprecated" not in (newest["git_commit"].description or "")
    assert "files" in (pinned["git_commit"].output_schema or {})["properties"]
    assert "Deprecated since 2026-12-04" in (pinned["git_commit"].description or "")


@pytest.mark.slow
def test_draftroom_mcp_api_v1_pins_the_older_version(services: Services, tmp_path: Path) -> None:
    data_dir = str(services.settings.data_dir)

    async def listed(*pin: str) -> dict[str, Any]:
        with (tmp_path / "stderr.log").open("a") as errlog:
            async with stdio_client_for(["mcp", "--data-dir", data_dir, *pin], errlog) as client:
                return {t.name: t for t in (await client.list_tools()).tools}

    pinned, newest = anyio.run(listed, "--api", "v1"), anyio.run(listed)
    assert "files" in (pinned["git_commit"].output_schema or {})["properties"]
    assert "Deprecated since 2026-12-04" in (pinned["git_commit"].description or "")
    assert "receipts" in (newest["git_commit"].output_schema or {})["properties"]
    assert "text" in newest["reasoning_log"].input_schema["properties"]
    assert "entry" in pinned["reasoning_log"].input_schema["properties"]


def test_mcp_endpoint_refuses_an_unknown_version(api: Api) -> None:
    response = api.client.post("/mcp?api=v9", json={}, headers=api.headers)
    assert response.status_code == 400
    assert error(response.json())["code"] == "invalid_input"
    assert "use one of v1, v2" in error(response.json())["message"]
