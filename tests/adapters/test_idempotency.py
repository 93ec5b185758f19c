"""Idempotency keys on every writing tool (issue 14, D1): a retry after a lost answer returns
the first answer and writes nothing new, over HTTP (header or field) and MCP alike."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import anyio
import httpx2
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict
from sqlalchemy import update

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.domain.calls import Call, Services
from draftroom.tools import build_registry
from draftroom.tools.declaration import tool
from draftroom.tools.versions import LATEST
from tests.adapters.test_mcp import http_mcp_client, outcome_of, serving
from tests.support.api import REPO, Api, error, new_key, start_sandbox
from tests.support.trees import repo_of


def post(api: Api, route: str, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {**api.headers, **({"Idempotency-Key": key} if key else {})}
    return api.client.post(route, json=body, headers=headers)


def commits(services: Services, branch: str) -> int:
    return len(repo_of(services).log(branch, limit=100).commits)


def test_a_retry_with_the_same_header_returns_the_first_answer_and_writes_nothing(
    api: Api, services: Services
) -> None:
    sb = start_sandbox(api)
    body = {**sb, "path": "a.md", "content": "a\n", "message": "Add a"}
    before = commits(services, sb["branch"])

    first = post(api, "/files/write", body, key="k-1")
    again = post(api, "/files/write", body, key="k-1")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert commits(services, sb["branch"]) == before + 1
    with services.database.session() as session:
        rows = store.list_audit_events(session, limit=1)
        assert (rows[0].detail or {}).get("idempotent_replay") is True
        assert rows[0].commit_sha is None  # a replay is no commit: the rate does not count it


def test_the_same_key_with_another_body_is_422_and_writes_nothing(
    api: Api, services: Services
) -> None:
    sb = start_sandbox(api)
    body = {**sb, "path": "a.md", "content": "a\n", "message": "Add a"}
    post(api, "/files/write", body, key="k-2")
    head = repo_of(services).head(sb["branch"])

    other = post(api, "/files/write", {**body, "content": "b\n"}, key="k-2")

    assert other.status_code == 422
    assert error(other.json())["code"] == "idempotency_key_reused"
    assert repo_of(services).head(sb["branch"]) == head


def test_the_field_works_like_the_header_for_callers_that_cannot_send_headers(
    api: Api, services: Services
) -> None:
    """GPT Actions send no custom headers: ``idempotency_key`` in the body does the same."""
    first = api.post("/sandbox/init", expect=201, repo_name=REPO, idempotency_key="init-1")
    again = api.post("/sandbox/init", expect=201, repo_name=REPO, idempotency_key="init-1")

    assert again == first and first["reuse_token"]
    with services.database.session() as session:
        assert store.count_sandboxes(session) == 1
    both = post(api, "/sandbox/init", {"repo_name": REPO, "idempotency_key": "x"}, key="y")
    assert both.status_code == 400


def test_keys_are_per_api_key_and_per_tool_and_expire_after_a_day(
    api: Api, services: Services
) -> None:
    sb = start_sandbox(api)
    body = {**sb, "path": "a.md", "content": "a\n", "message": "Add a"}
    first = post(api, "/files/write", body, key="k-3").json()
    undo = post(api, "/sandbox/undo", sb, key="k-3")
    assert undo.status_code == 200  # another tool: its own key space
    with services.database.session() as session:
        session.execute(
            update(store.IdempotencyKey).values(
                created_at=store.utc_now() - timedelta(hours=24, seconds=1)
            )
        )
    later = post(api, "/files/write", body, key="k-3")
    assert later.status_code == 200 and later.json()["commit_sha"] != first["commit_sha"]
    stranger = Api(api.client, new_key(services))
    foreign = post(stranger, "/files/write", body, key="k-3")
    assert foreign.json() != later.json()  # another API key replays nothing of this one's


def test_a_failed_first_call_leaves_the_key_free_for_a_retry(api: Api, services: Services) -> None:
    sb = start_sandbox(api)
    stale = {**sb, "path": "a.md", "content": "a\n", "message": "m", "expected_head": "0" * 40}

    refused = post(api, "/files/write", stale, key="k-4")
    assert refused.status_code >= 400
    fixed = {**stale, "expected_head": repo_of(services).head(sb["branch"])}
    ran = post(api, "/files/write", fixed, key="k-5")
    assert ran.status_code == 200
    with services.database.session() as session:
        assert session.query(store.IdempotencyKey).count() == 1  # k-4 was released


class SlowInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n: int = 0


class SlowOutput(BaseModel):
    n: int


def slow_tool(started: threading.Event, release: threading.Event) -> Any:
    @tool("test.slow", summary="Waits", description="Waits until released.", writes=True)
    def slow(call: Call, sandbox: None, body: SlowInput) -> SlowOutput:
        started.set()
        assert release.wait(30)
        return SlowOutput(n=body.n + 1)

    return slow


def test_a_retry_while_the_first_call_runs_is_409_then_gets_its_answer(
    services: Services,
) -> None:
    started, release = threading.Event(), threading.Event()
    registry = build_registry()
    registry.add(slow_tool(started, release))
    api_key = new_key(services)
    with TestClient(create_app(services.settings, services, registry)) as client:
        api = Api(client, api_key)
        answers: list[Any] = []
        first = threading.Thread(
            target=lambda: answers.append(post(api, "/test/slow", {"n": 1}, key="slow"))
        )
        first.start()
        assert started.wait(30)
        busy = post(api, "/test/slow", {"n": 1}, key="slow")
        release.set()
        first.join(30)
        replay = post(api, "/test/slow", {"n": 1}, key="slow")
    assert busy.status_code == 409
    assert error(busy.json())["code"] == "idempotency_in_progress"
    assert answers[0].status_code == replay.status_code == 200
    assert replay.json() == answers[0].json() == {"n": 2}


def test_a_retry_over_mcp_of_an_http_write_returns_the_same_commit(services: Services) -> None:
    key = new_key(services)

    async def both(base: str) -> tuple[Any, Any, Any]:
        headers = {"Authorization": f"Bearer {key}"}
        async with httpx2.AsyncClient(headers=headers) as http:
            init = (await http.post(f"{base}/sandbox/init", json={"repo_name": REPO})).json()
            sb = {"repo_name": REPO, "reuse_token": init["reuse_token"]}
            body = {**sb, "message": "Add", "changes": [{"path": "x.md", "content": "x"}]}
            response = await http.post(  # MCP serves the newest version: the same tool
                f"{base}/v{LATEST}/git/commit", json=body, headers={"Idempotency-Key": "mcp-1"}
            )
        async with http_mcp_client(f"{base}/mcp", key, "auto") as client:
            retry = outcome_of(
                await client.call_tool("git_commit", {**body, "idempotency_key": "mcp-1"})
            )
            listed = {t.name: t for t in (await client.list_tools()).tools}
        return response.json(), retry, listed

    with serving(services) as base:
        first, (code, retried), listed = anyio.run(both, base)
    assert code is None and retried["commit_sha"] == first["commit_sha"]
    assert commits(services, first["branch"]) == commits(services, "main") + 1
    assert "idempotency_key" in listed["git_commit"].input_schema["properties"]
    assert "idempotency_key" not in listed["files_read"].input_schema["properties"]


def test_every_writing_tool_and_only_those_take_the_field_in_the_gpt_schema(
    client: TestClient,
) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    assert not [name for name in components if "__" in name]
    for tool_ in build_registry():
        if tool_.scope != "sandbox":
            continue
        fields = tool_.input_model.model_fields
        assert ("idempotency_key" in fields) == tool_.writes, tool_.name
        name = tool_.input_model.__name__
        if name in components:
            assert ("idempotency_key" in components[name]["properties"]) == tool_.writes
