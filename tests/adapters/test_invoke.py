"""One path for every call: ``Registry.invoke`` authenticates, checks scope, validates, audits
and reports once, whatever the transport; adapters only translate."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.domain.calls.call import Call
from draftroom.domain.calls.services import Services
from draftroom.errors import Conflict
from draftroom.tools import build_registry, tool
from tests.adapters.test_mcp import http_mcp_client, outcome_of, serving
from tests.support.api import Api, new_key

BAD_KEY = {"Authorization": "Bearer drk_" + "a" * 12 + "_" + "b" * 43}


def audit_events(services: Services) -> list[store.AuditEvent]:
    with services.database.session() as session:
        return list(session.scalars(select(store.AuditEvent).order_by(store.AuditEvent.id)))


def test_a_wrong_key_is_refused_alike_over_http_and_mcp_audited_and_counted_once(
    client: TestClient, services: Services
) -> None:
    http = client.post("/sandbox/status", json={}, headers=BAD_KEY)
    mcp = client.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}},
        headers={**BAD_KEY, "Accept": "application/json, text/event-stream"},
    )
    assert http.status_code == mcp.status_code == 401
    challenge = (
        'Bearer resource_metadata="https://draftroom.example/.well-known/oauth-protected-resource"'
    )
    assert http.headers["WWW-Authenticate"] == mcp.headers["WWW-Authenticate"] == challenge
    for response in (http, mcp):
        error = response.json()["error"]
        assert error.pop("request_id") == response.headers["X-Request-Id"]
        assert error == {"code": "unauthorized", "message": "invalid API key"}
    rows = [
        (e.tool, e.outcome, e.error_code, e.api_key_id, e.detail["transport"])
        for e in audit_events(services)
    ]
    assert rows == [
        ("sandbox.status", "error", "unauthorized", None, "http"),
        ("/mcp", "error", "unauthorized", None, "mcp"),
    ]
    assert services.failures.snapshot() == {"unauthorized": 2}


def test_a_refused_api_key_does_not_count_towards_the_reuse_token_lockout(
    api: Api, services: Services
) -> None:
    services.settings.token_failures_before_lockout = 2
    for _ in range(3):
        assert api.client.post("/sandbox/status", json={}, headers=BAD_KEY).status_code == 401
    sb = api.post("/sandbox/init", expect=201, repo_name="demo")
    api.post("/sandbox/status", repo_name="demo", reuse_token=sb["reuse_token"])


def test_validation_and_tool_errors_are_each_audited_and_counted_once(
    api: Api, services: Services
) -> None:
    sb = api.post("/sandbox/init", expect=201, repo_name="demo")
    token = {"repo_name": "demo", "reuse_token": sb["reuse_token"]}
    invalid = api.post("/files/read", expect=422, **token, path=3)
    assert invalid["error"]["message"] == "path: Input should be a valid string"
    assert invalid["error"]["details"]["errors"] == [
        {"loc": ["body", "path"], "msg": "Input should be a valid string", "type": "string_type"}
    ]
    api.post("/files/read", expect=404, **token, path="nope.txt")
    failed = [(e.tool, e.error_code) for e in audit_events(services) if e.outcome == "error"]
    assert failed == [("files.read", "invalid_request"), ("files.read", "path_not_found")]
    assert services.failures.snapshot() == {"invalid_request": 1, "path_not_found": 1}


def test_a_key_without_the_scope_learns_nothing_of_an_admin_tools_input(
    api: Api, services: Services
) -> None:
    for body in ({}, {"bogus": 1}, {"token_id": "x"}):
        refused = api.post("/admin/tokens/revoke", expect=403, **body)["error"]
        assert refused["code"] == "insufficient_scope"
        assert "token_id" not in refused["message"] and "details" not in refused
    response = api.client.post("/admin/tokens/revoke", content=b"{not json", headers=api.headers)
    assert response.status_code == 403
    assert services.failures.snapshot() == {"insufficient_scope": 4}


def test_wrong_method_is_405_with_allow_and_unknown_route_404_neither_a_tool_call(
    api: Api, services: Services
) -> None:
    wrong = api.client.get("/files/read", headers=api.headers)
    assert wrong.status_code == 405
    assert wrong.headers["Allow"] == "POST"
    assert wrong.json()["error"]["code"] == "method_not_allowed"
    missing = api.client.post("/files/nope", json={}, headers=api.headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert audit_events(services) == []
    assert services.failures.snapshot() == {}


def test_registries_built_apart_hold_the_same_tools_and_share_nothing() -> None:
    first, second = build_registry(), build_registry()
    assert first is not second
    assert [t for t in first] == [t for t in second]
    extra = first.add(fails)
    assert first.get("test.fails") is extra
    assert "test.fails" not in {t.name for t in second}
    assert [t.name for t in build_registry()] == [t.name for t in second]


class FailsInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FailsOutput(BaseModel):
    ok: bool


@tool(
    "test.fails",
    summary="Always fails",
    description="Fails; see memory.query instead.",
)
def fails(call: Call, sandbox: None, body: FailsInput) -> FailsOutput:
    raise Conflict("nothing here; call memory.query, then git.commit")


def test_tool_names_in_messages_are_shown_as_each_adapter_names_tools(
    services: Services,
) -> None:
    registry = build_registry()
    registry.add(fails)
    key = new_key(services)
    with TestClient(create_app(services.settings, services, registry)) as client:
        http = client.post("/test/fails", json={}, headers={"Authorization": f"Bearer {key}"})
        described = client.get("/openapi.json").json()["paths"]["/test/fails"]["post"]
    assert http.status_code == 409
    assert http.json()["error"]["message"] == "nothing here; call /memory/query, then /git/commit"
    assert described["description"] == "Fails; see /memory/query instead."

    async def over_mcp(base: str) -> tuple[Any, str | None]:
        async with http_mcp_client(f"{base}/mcp", key, "auto") as mcp:
            listed = {t.name: t for t in (await mcp.list_tools()).tools}
            return outcome_of(await mcp.call_tool("test_fails", {})), listed[
                "test_fails"
            ].description

    with serving(services, registry) as base:
        (code, body), description = anyio.run(over_mcp, base)
    assert code == "conflict"
    assert body["error"]["message"] == "nothing here; call memory_query, then git_commit"
    assert description is not None and description.startswith(
        "Always fails. Fails; see memory_query instead."
    )


@pytest.mark.parametrize("text", ["memory.yaml", "/memory/query", "xmemory.query", "git.commits"])
def test_only_whole_tool_names_are_rendered(text: str) -> None:
    assert build_registry().render(text, lambda t: "<tool>") == text
