"""Every registered tool is reachable over HTTP, over MCP and from the CLI, and each adapter
goes through ``Registry.invoke``: one call per transport leaves one audit row per transport.

Inputs come from the tools' own schemas (``example_call``, as in their MCP descriptions),
with the sandbox filled in and a few overrides; an error answer from the tool is fine, since
the row proves the call reached the registry. A new tool is covered without a line here.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from draftroom import store
from draftroom.adapters.cli import app as cli
from draftroom.adapters.http import create_app
from draftroom.adapters.mcp_examples import example_call
from draftroom.domain.calls.services import Services
from draftroom.tools import Tool, build_registry
from tests.adapters.test_mcp import http_mcp_client, outcome_of, serving
from tests.support.api import Api, new_key

OVERRIDES: dict[str, dict[str, Any]] = {
    "admin.repos.register": {"name": "registered-here"},
    "sandbox.archive": {"id": 999_999},  # not the sandbox the other tools work in
    "sandbox.restore": {"id": 999_999},
}


def example_input(tool: Tool, sandbox: dict[str, str]) -> dict[str, Any]:
    example = example_call(tool.input_model.model_json_schema())
    filled = {name: sandbox.get(name, value) for name, value in example.items()}
    return {**filled, **OVERRIDES.get(tool.name, {})}


def over_http(client: TestClient, key: str, tool: Tool, payload: dict[str, Any]) -> int:
    fields = dict(payload)
    path = tool.path.format(**{p: quote(str(fields.pop(p)), safe="") for p in tool.path_params})
    headers = {"Authorization": f"Bearer {key}"}
    if tool.http_method == "GET":
        return client.get(path, params=fields, headers=headers).status_code
    return client.post(path, json=fields, headers=headers).status_code


def rows_by_transport(services: Services, api_key_id: str) -> dict[str, Counter[str]]:
    with services.database.session() as session:
        events = store.list_audit_events(session, limit=100_000)
        seen: dict[str, Counter[str]] = {}
        for event in events:
            if event.api_key_id == api_key_id:
                transport = (event.detail or {}).get("transport", "?")
                seen.setdefault(event.tool, Counter())[transport] += 1
    return seen


def test_every_tool_is_reached_through_the_registry_by_http_mcp_and_cli(
    services: Services, tmp_path: Path
) -> None:
    key, setup_key = new_key(services, "admin"), new_key(services, "agent")
    tools = list(build_registry())
    with TestClient(create_app(services.settings, services)) as client:
        init = Api(client, setup_key).post("/sandbox/init", 201, repo_name="demo")
        sandbox = {"repo_name": "demo", "reuse_token": init["reuse_token"]}
        http = {
            tool.name: over_http(client, key, tool, example_input(tool, sandbox)) for tool in tools
        }

    async def all_over_mcp() -> dict[str, str | None]:
        async with http_mcp_client(f"{base}/mcp", key, "auto") as client:
            answers = {}
            for tool in tools:
                result = await client.call_tool(tool.operation_id, example_input(tool, sandbox))
                answers[tool.name] = outcome_of(result)[0]
            return answers

    with serving(services) as base:
        mcp = anyio.run(all_over_mcp)

    runner = CliRunner()
    data_dir = str(services.settings.data_dir)
    for tool in tools:
        payload = json.dumps(example_input(tool, sandbox))
        args = ["--key", key, "call", tool.name, "--json", payload, "--data-dir", data_dir]
        done = runner.invoke(cli, args)
        assert done.exit_code in (0, 1), (tool.name, done.output)

    seen = rows_by_transport(services, key.split("_")[1])
    for tool in tools:
        if tool.local_only:  # no HTTP route at all; refused over MCP, audited as such
            assert http[tool.name] == 404 and mcp[tool.name] == "insufficient_scope"
            assert seen.get(tool.name) == Counter({"mcp": 1, "cli": 1}), tool.name
        else:
            assert http[tool.name] != 422, f"{tool.name}: its example never reached the registry"
            assert seen.get(tool.name) == Counter({"http": 1, "mcp": 1, "cli": 1}), tool.name
    assert set(seen) == {tool.name for tool in tools}
