"""The MCP adapter through the official MCP client: streamable HTTP on a real socket, and stdio.

The same story (init, commit, read, rollback, two refused calls) runs over HTTP and over MCP;
answers, error codes and audit rows must agree.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import mcp_types as types
import pytest
import uvicorn
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.adapters.mcp_examples import example_call
from draftroom.domain.calls import Services
from draftroom.domain.repos import AGENT_KEY_LABEL, OWNER_KEY_LABEL
from draftroom.tools import Registry, build_registry
from draftroom.tools.versions import API_VERSIONS, LATEST
from tests.support.api import new_key

REPO = "demo"
Outcome = tuple[str | None, dict[str, Any]]
"""(error code or None, answer body) of one tool call, whatever the transport."""
CallTool = Callable[[str, dict[str, Any]], Awaitable[Outcome]]

# (tool, outcome, error_code, repo, branch): "<own>" is the caller's own sandbox branch.
EXPECTED_AUDIT = [
    ("sandbox.init", "ok", None, REPO, "<own>"),
    ("git.commit", "ok", None, REPO, "<own>"),
    ("files.read", "ok", None, REPO, "<own>"),
    ("git.rollback_commit", "ok", None, REPO, "<own>"),
    ("files.write", "error", "branch_not_allowed", None, None),
    ("files.read", "error", "invalid_path", REPO, "<own>"),
    ("files.read", "error", "path_not_found", REPO, "<own>"),
]


def free_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serving(
    services: Services, registry: Registry | None = None, sock: socket.socket | None = None
) -> Iterator[str]:
    """The real app under uvicorn on a free loopback port (or ``sock``'s), in a thread;
    yields its base URL."""
    sock = sock or free_socket()
    port = sock.getsockname()[1]
    app = create_app(services.settings, services, registry)
    # proxy_headers off, as ``draftroom serve`` runs it: the app reads X-Forwarded-For itself.
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]})
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


def outcome_of(result: types.CallToolResult) -> Outcome:
    """Error code and body of an MCP tool result, read from its text content.

    A success carries the same JSON as structured content; an error carries none (it would
    contradict the tool's output schema, which strict clients check).
    """
    assert len(result.content) == 1 and isinstance(result.content[0], types.TextContent)
    body = json.loads(result.content[0].text)
    if result.is_error:
        assert result.structured_content is None
        return body["error"]["code"], body
    assert body == result.structured_content
    return None, body


def over_mcp(client: Client) -> CallTool:
    async def call(tool: str, arguments: dict[str, Any]) -> Outcome:
        return outcome_of(await client.call_tool(tool.replace(".", "_"), arguments))

    return call


def over_http(http: httpx2.AsyncClient, base: str) -> CallTool:
    async def call(tool: str, arguments: dict[str, Any]) -> Outcome:
        response = await http.post(f"{base}/{tool.replace('.', '/')}", json=arguments)
        body: dict[str, Any] = response.json()
        return (body["error"]["code"] if response.status_code >= 400 else None), body

    return call


async def story(call: CallTool) -> tuple[str, list[Outcome]]:
    """Init, commit, read, rollback, then three refused calls; (own branch, outcomes)."""
    init = await call("sandbox.init", {"repo_name": REPO, "mode": "branch"})
    assert init[0] is None and init[1]["created"] is True
    sb = {"repo_name": REPO, "reuse_token": init[1]["reuse_token"]}
    change = {"path": "src/app.py", "content": "print('hi')\n"}
    commit = await call("git.commit", {**sb, "message": "Add app", "changes": [change]})
    assert commit[0] is None, commit
    read = await call("files.read", {**sb, "path": "src/app.py"})
    rollback = await call(
        "git.rollback_commit", {**sb, "commit_sha": commit[1]["commit_sha"], "reason": "oops"}
    )
    to_main = await call(
        "files.write", {**sb, "branch": "main", "path": "x.md", "content": "x", "message": "m"}
    )
    outside = await call("files.read", {**sb, "path": "/etc/passwd"})
    gone = await call("files.read", {**sb, "path": "src/app.py"})
    return init[1]["branch"], [init, commit, read, rollback, to_main, outside, gone]


def audit_rows(services: Services, api_key_id: str, own_branch: str) -> list[tuple[Any, ...]]:
    """The audit rows of one key, oldest first, in ``EXPECTED_AUDIT``'s shape, and transports."""
    with services.database.session() as session:
        events = [
            e for e in store.list_audit_events(session, limit=1000) if e.api_key_id == api_key_id
        ]
        rows = [
            (
                e.tool,
                e.outcome,
                e.error_code,
                e.repo,
                "<own>" if e.branch == own_branch else e.branch,
                (e.detail or {}).get("transport"),
            )
            for e in reversed(events)
        ]
    return rows


def check_story(outcomes: list[Outcome]) -> None:
    _, commit, read, rollback, to_main, outside, gone = outcomes
    assert read == (None, {**read[1], "content": "print('hi')\n", "path": "src/app.py"})
    assert rollback[0] is None and rollback[1]["reverted_sha"] == commit[1]["commit_sha"]
    assert [to_main[0], outside[0], gone[0]] == [
        "branch_not_allowed",
        "invalid_path",
        "path_not_found",
    ]
    for _, body in (to_main, outside, gone):
        assert set(body["error"]) >= {"code", "message", "request_id"}


@asynccontextmanager
async def http_mcp_client(url: str, key: str, mode: str) -> AsyncIterator[Client]:
    """The official client over streamable HTTP, sending ``key`` as a bearer token."""
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=30) as http,
        Client(streamable_http_client(url, http_client=http), mode=mode) as client,
    ):
        yield client


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_listed_tools_are_the_registry_with_its_schemas_over_http(
    services: Services, mode: str
) -> None:
    admin, agent = new_key(services, "admin"), new_key(services, "agent")

    async def listed(key: str) -> list[types.Tool]:
        async with http_mcp_client(f"{base}/mcp", key, mode) as client:
            return (await client.list_tools()).tools

    with serving(services) as base:
        for_admin, for_agent = anyio.run(listed, admin), anyio.run(listed, agent)
    by_name = {tool.name: tool for tool in for_admin}
    served = build_registry().tools(LATEST)  # MCP serves the newest API version
    listed = [tool for tool in served if not tool.local_only]  # local_only: the CLI's only
    assert set(by_name) == {tool.operation_id for tool in listed}
    for tool in listed:
        listed_tool = by_name[tool.operation_id]
        assert listed_tool.input_schema == tool.input_model.model_json_schema()
        assert listed_tool.output_schema == tool.output_model.model_json_schema(
            by_alias=False, mode="serialization"
        )
        hints = listed_tool.annotations
        assert hints is not None and hints.title == listed_tool.title == tool.summary
        assert hints.read_only_hint is (not tool.writes)
        assert hints.destructive_hint is tool.consequential
        assert hints.idempotent_hint is (tool.idempotent or not tool.writes)
        assert hints.open_world_hint is False
    hinted = {name: tool.annotations for name, tool in by_name.items() if tool.annotations}
    assert {name for name, hints in hinted.items() if hints.destructive_hint} == {
        "merge_approve",
        "admin_repos_resolve",
        "admin_credentials_remove",
    }
    # Reads and refused repeats are safe to retry; a commit or an undo is not.
    assert [hinted[name].idempotent_hint for name in ("files_read", "merge_approve")] == [True] * 2
    assert [hinted[name].idempotent_hint for name in ("git_commit", "sandbox_undo")] == [False] * 2
    # As in the HTTP schema, an agent key does not even see the admin tools.
    assert {tool.name for tool in for_agent} == {
        tool.operation_id for tool in served if tool.scope == "sandbox"
    }


def test_every_description_carries_an_example_call_that_validates() -> None:
    registry = build_registry()
    for tool in (tool for version in API_VERSIONS for tool in registry.tools(version)):
        schema = tool.input_model.model_json_schema()
        example = example_call(schema)
        assert set(example) == set(schema.get("required", []))
        tool.input_model.model_validate(example)


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_story_over_mcp_answers_and_audits_like_http(services: Services, mode: str) -> None:
    http_key, mcp_key = new_key(services), new_key(services)

    async def both() -> tuple[tuple[str, list[Outcome]], tuple[str, list[Outcome]]]:
        headers = {"Authorization": f"Bearer {http_key}"}
        async with httpx2.AsyncClient(headers=headers) as http:
            via_http = await story(over_http(http, base))
        async with http_mcp_client(f"{base}/mcp", mcp_key, mode) as client:
            via_mcp = await story(over_mcp(client))
        return via_http, via_mcp

    with serving(services) as base:
        (http_branch, http_outcomes), (mcp_branch, mcp_outcomes) = anyio.run(both)

    check_story(http_outcomes)
    check_story(mcp_outcomes)
    assert [code for code, _ in mcp_outcomes] == [code for code, _ in http_outcomes]
    assert mcp_outcomes[2][1] == http_outcomes[2][1]  # the same file, read the same way
    http_rows = audit_rows(services, services_key_id(http_key), http_branch)
    mcp_rows = audit_rows(services, services_key_id(mcp_key), mcp_branch)
    assert [row[:5] for row in http_rows] == EXPECTED_AUDIT
    assert [row[:5] for row in mcp_rows] == EXPECTED_AUDIT
    assert {row[5] for row in http_rows} == {"http"}
    assert {row[5] for row in mcp_rows} == {"mcp"}


def services_key_id(plaintext: str) -> str:
    return plaintext.split("_")[1]


def test_mcp_endpoint_refuses_calls_without_a_valid_api_key(services: Services) -> None:
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    with serving(services) as base:
        missing = httpx2.post(f"{base}/mcp", json=initialize)
        wrong = httpx2.post(
            f"{base}/mcp", json=initialize, headers={"Authorization": "Bearer drk_nope"}
        )
    assert missing.status_code == 401 and wrong.status_code == 401
    assert missing.json()["error"]["code"] == "unauthorized"
    assert wrong.json()["error"] == {
        "code": "unauthorized",
        "message": "invalid API key",
        "request_id": wrong.headers["X-Request-Id"],
    }


def test_agent_keys_cannot_call_admin_tools_over_mcp(services: Services) -> None:
    agent, admin = new_key(services, "agent"), new_key(services, "admin")

    async def calls() -> tuple[Outcome, Outcome]:
        async with http_mcp_client(f"{base}/mcp", agent, "auto") as client:
            refused = outcome_of(await client.call_tool("sandbox_list", {}))
        async with http_mcp_client(f"{base}/mcp", admin, "auto") as client:
            allowed = outcome_of(await client.call_tool("sandbox_list", {}))
        return refused, allowed

    with serving(services) as base:
        refused, allowed = anyio.run(calls)
    assert refused[0] == "insufficient_scope"
    assert allowed[0] is None and "sandboxes" in allowed[1]
    rows = audit_rows(services, services_key_id(agent), "")
    assert [row[:3] for row in rows] == [("sandbox.list", "error", "insufficient_scope")]


def stdio_client_for(args: list[str], errlog: Any) -> Client:
    # This environment (PYTHONPATH too, not the SDK's bare default): it runs the code under test.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTROOM_")}
    params = StdioServerParameters(command=sys.executable, args=["-m", "draftroom", *args], env=env)
    return Client(stdio_client(params, errlog=errlog), mode="legacy")


ADMIN_CALLS = {
    "merge_approve": {"id": 1},
    "merge_reject": {"id": 1},
    "admin_keys_create": {"role": "admin"},
    "admin_tokens_issue": {"repo_name": REPO, "branch": "sandbox-x"},
    "admin_credentials_list": {},
    "admin_repos_sync": {"name": REPO},
}
"""Admin tools an agent might try over stdio, with inputs that would otherwise validate."""


@pytest.mark.slow
def test_stdio_serves_the_data_dir_as_an_agent_that_cannot_approve_its_own_merge(
    services: Services, tmp_path: Path
) -> None:
    """Issue 13, finding 3: ``draftroom mcp`` served the owner's admin key, so the agent
    saw ``merge_approve`` and moved main. Now it is an agent: sandbox tools only."""
    data_dir = str(services.settings.data_dir)

    async def run() -> tuple[list[types.Tool], tuple[str, list[Outcome]], dict[str, Outcome]]:
        with (tmp_path / "stderr.log").open("w") as errlog:
            async with stdio_client_for(["mcp", "--data-dir", data_dir], errlog) as client:
                tools = (await client.list_tools()).tools
                told = await story(over_mcp(client))
                refused = {
                    name: outcome_of(await client.call_tool(name, arguments))
                    for name, arguments in ADMIN_CALLS.items()
                }
                return tools, told, refused

    tools, (branch, outcomes), refused = anyio.run(run)
    assert {t.name: t.input_schema for t in tools} == {
        t.operation_id: t.input_model.model_json_schema()
        for t in build_registry().tools(LATEST)
        if not t.local_only and t.scope == "sandbox"
    }
    assert "merge_request" in {t.name for t in tools}
    assert not {"merge_approve", "admin_keys_create", "sandbox_list"} & {t.name for t in tools}
    assert {name: code for name, (code, _) in refused.items()} == dict.fromkeys(
        ADMIN_CALLS, "insufficient_scope"
    )
    check_story(outcomes)
    with services.database.session() as session:
        org = store.get_or_create_org(session, services.settings.org)
        keys = store.list_api_keys(session, org.id)
        agent = next(k for k in keys if k.label == AGENT_KEY_LABEL)
        assert agent.role == "agent"
        assert not any(k.label == OWNER_KEY_LABEL for k in keys)  # the CLI's, not stdio's
        agent_id = agent.id
    rows = audit_rows(services, agent_id, branch)
    assert [row[:5] for row in rows[: len(EXPECTED_AUDIT)]] == EXPECTED_AUDIT
    names = {t.operation_id: t.name for t in build_registry()}
    assert [row[:3] for row in rows[len(EXPECTED_AUDIT) :]] == [
        (names[name], "error", "insufficient_scope") for name in ADMIN_CALLS
    ]
    assert {row[5] for row in rows} == {"mcp"}
