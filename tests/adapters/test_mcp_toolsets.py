"""Toolsets and read-only mode over MCP: ``/mcp?toolsets=...&read_only=1``, the settings, and
``draftroom mcp --toolsets ... --read-only`` over stdio."""

from __future__ import annotations

from pathlib import Path

import anyio
import httpx2
import pytest

from draftroom.domain.calls import Services
from draftroom.tools import build_registry
from draftroom.tools.toolsets import TOOLSETS
from tests.adapters.test_mcp import http_mcp_client, outcome_of, serving, stdio_client_for
from tests.support.api import new_key

REPO = "demo"


def expected(toolsets: set[str], *, read_only: bool = False) -> set[str]:
    return {
        t.operation_id
        for t in build_registry()
        if t.toolset in toolsets and t.scope == "sandbox" and not t.local_only
        if not (read_only and t.writes)
    }


def test_toolsets_and_read_only_over_http(services: Services) -> None:
    key = new_key(services, "agent")

    async def run() -> tuple[set[str], set[str], tuple[str | None, dict]]:
        with serving(services) as base:
            async with http_mcp_client(f"{base}/mcp?toolsets=core", key, "legacy") as client:
                core = {t.name for t in (await client.list_tools()).tools}
                init = outcome_of(await client.call_tool("sandbox_init", {"repo_name": REPO}))
                hidden = outcome_of(
                    await client.call_tool("memory_query", {**sandbox(init), "query": "x"})
                )
            url = f"{base}/mcp?toolsets=core,workspace&read_only=1"
            async with http_mcp_client(url, key, "legacy") as client:
                reads = {t.name for t in (await client.list_tools()).tools}
                change = {"path": "a.md", "content": "a", "message": "m"}
                refused = outcome_of(
                    await client.call_tool("files_write", {**sandbox(init), **change})
                )
                listed = outcome_of(await client.call_tool("files_list", sandbox(init)))
                assert listed[0] is None
        assert hidden[0] == "toolset_not_loaded"
        assert "workspace" in hidden[1]["error"]["message"]
        return core, reads, refused

    core, reads, refused = anyio.run(run)
    assert core == expected({"core"}) and len(core) < 12
    assert reads == expected({"core", "workspace"}, read_only=True)
    assert refused[0] == "read_only"


def sandbox(init: tuple[str | None, dict]) -> dict[str, str]:
    return {"repo_name": REPO, "reuse_token": init[1]["reuse_token"]}


def test_unknown_toolset_on_mcp_is_a_400_naming_the_valid_ones(services: Services) -> None:
    key = new_key(services, "agent")
    with serving(services) as base:
        response = httpx2.post(
            f"{base}/mcp?toolsets=core,everything",
            headers={"Authorization": f"Bearer {key}", "Accept": "application/json"},
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert all(name in error["message"] for name in TOOLSETS)


def test_settings_choose_the_default_toolsets(services: Services) -> None:
    services.settings.mcp_toolsets = "merge"
    services.settings.mcp_read_only = True
    key = new_key(services, "agent")

    async def run() -> set[str]:
        with serving(services) as base:
            async with http_mcp_client(f"{base}/mcp", key, "legacy") as client:
                return {t.name for t in (await client.list_tools()).tools}

    assert anyio.run(run) == expected({"merge"}, read_only=True)


@pytest.mark.slow
def test_stdio_toolsets_and_read_only(services: Services, tmp_path: Path) -> None:
    data_dir = str(services.settings.data_dir)
    args = ["mcp", "--data-dir", data_dir, "--toolsets", "core", "--read-only"]

    async def run() -> tuple[set[str], tuple[str | None, dict]]:
        with (tmp_path / "stderr.log").open("w") as errlog:
            async with stdio_client_for(args, errlog) as client:
                names = {t.name for t in (await client.list_tools()).tools}
                init = outcome_of(await client.call_tool("sandbox_init", {"repo_name": REPO}))
                return names, init

    names, init = anyio.run(run)
    owner = {t.operation_id for t in build_registry() if t.toolset == "core" and not t.writes}
    assert names == owner
    assert init[0] == "read_only"
