"""Prompts, resources and progress over MCP, through the official client in-process (the
server is the one ``/mcp`` and stdio serve), and prompts over HTTP with an agent key."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import anyio
import mcp_types as types
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from draftroom import store
from draftroom.adapters import mcp_resources
from draftroom.adapters.mcp import build_server
from draftroom.adapters.mcp_resources import resource_uri
from draftroom.domain.calls import Services
from draftroom.domain.repos import owner_principal
from draftroom.domain.workspace import PROMPT_PACKS
from draftroom.tools import build_registry
from tests.adapters.test_mcp import http_mcp_client, outcome_of, serving
from tests.support.api import new_key
from tests.support.trees import commit_by_hand


def sandbox_branch(services: Services) -> str:
    with services.database.session() as session:
        events = store.list_audit_events(session, limit=100)
    return next(e.branch for e in events if e.tool == "sandbox.init" and e.branch)


REPO = "demo"


def client_for(services: Services, defaults: dict[str, Any] | None = None) -> Client:
    principal = owner_principal(services)
    server = build_server(services, build_registry(), lambda ctx: principal, defaults=defaults)
    return Client(server)


async def start(client: Client, mode: str = "project") -> dict[str, Any]:
    arguments = {"repo_name": REPO, "mode": mode, "project_name": "Demo", "goals": ["Ship"]}
    error, init = outcome_of(await client.call_tool("sandbox_init", arguments))
    assert error is None, init
    return {"repo_name": REPO, "reuse_token": init["reuse_token"], "branch": init["branch"]}


def test_prompts_list_resume_and_every_template_pack(services: Services) -> None:
    async def run() -> tuple[list[types.Prompt], types.GetPromptResult, types.GetPromptResult]:
        async with client_for(services) as client:
            sandbox = await start(client)
            prompts = (await client.list_prompts()).prompts
            resume = await client.get_prompt(
                "resume", {"repo_name": REPO, "reuse_token": sandbox["reuse_token"]}
            )
            change = await client.get_prompt(
                "software_change",
                {"repo_name": REPO, "reuse_token": sandbox["reuse_token"], "goal": "Add {x}"},
            )
            return prompts, resume, change

    prompts, resume, change = anyio.run(run)
    names = {p.name for p in prompts}
    expected = {f"{t}_{p.name}" for t, pack in PROMPT_PACKS.items() for p in pack}
    assert names == {"resume"} | expected
    assert set(PROMPT_PACKS) == {"default", "software", "writing"}
    software = next(p for p in prompts if p.name == "software_change")
    assert [(a.name, a.required) for a in software.arguments or []][:3] == [
        ("repo_name", True),
        ("reuse_token", True),
        ("goal", True),
    ]
    text = resume.messages[0].content
    assert isinstance(text, types.TextContent) and "Demo" in text.text and "Ship" in text.text
    body = change.messages[0].content
    assert isinstance(body, types.TextContent)
    assert "Add {x}" in body.text and "git_commit" in body.text and "git.commit" not in body.text


@pytest.mark.parametrize(
    ("name", "arguments", "code"),
    [
        ("resume", {"repo_name": REPO, "reuse_token": "wrong"}, "unauthorized"),
        ("resume", {"repo_name": REPO, "reuse_token": "x", "evil": "1"}, "invalid_input"),
        ("software_change", {"repo_name": REPO, "reuse_token": "t"}, "invalid_input"),
        (
            "software_change",
            {"repo_name": REPO, "reuse_token": "t", "goal": "x" * 5000},
            "invalid_input",
        ),
        ("nope", {}, "invalid_input"),
    ],
)
def test_a_bad_prompt_request_is_an_mcp_error_with_the_error_body(
    services: Services, name: str, arguments: dict[str, str], code: str
) -> None:
    async def run() -> MCPError:
        async with client_for(services) as client:
            with pytest.raises(MCPError) as raised:
                await client.get_prompt(name, arguments)
            return raised.value

    error = anyio.run(run)
    assert error.error.data["error"]["code"] == code
    assert error.error.message.startswith(f"{code}: ")


def test_resources_list_in_pages_and_read_in_slices(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mcp_resources, "PAGE", 2)

    async def run() -> tuple[list[types.Resource], list[str | None], Any, Any]:
        async with client_for(services) as first:
            sandbox = await start(first, "branch")
            changes = [{"path": f"docs/{i:02}.md", "content": f"doc {i}\n"} for i in range(5)]
            args = {**sandbox, "message": "docs", "changes": changes}
            assert outcome_of(await first.call_tool("git_commit", args))[0] is None
        defaults = {"repo_name": REPO, "reuse_token": sandbox["reuse_token"]}
        async with client_for(services, defaults) as client:
            templates = (await client.list_resource_templates()).resource_templates
            assert templates[0].uri_template == "draftroom://{repo}/{branch}/{+path}"
            seen: list[types.Resource] = []
            cursors: list[str | None] = []
            cursor = None
            while True:
                page = await client.list_resources(cursor=cursor)
                seen += page.resources
                cursors.append(page.next_cursor)
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
            uri = resource_uri(REPO, sandbox["branch"], "docs/03.md")
            whole = await client.read_resource(uri)
            part = await client.read_resource(uri + "?offset=4&length=1")
            return seen, cursors, whole, part

    seen, cursors, whole, part = anyio.run(run)
    uris = [r.uri for r in seen]
    assert len(cursors) >= 3 and cursors[-1] is None
    assert len(set(uris)) == len(uris)
    assert any(u.endswith("/docs/03.md") for u in uris)
    branch = quote(sandbox_branch(services), safe="")
    assert all(u.startswith(f"draftroom://demo/{branch}/") for u in uris), uris[0]
    assert whole.contents[0].text == "doc 3\n"
    assert part.contents[0].text == "3" and part.contents[0].meta["next_offset"] == 5


def test_resource_reads_are_scoped_and_audited(services: Services) -> None:
    async def run() -> tuple[MCPError, MCPError, MCPError]:
        async with client_for(services) as client:
            sandbox = await start(client, "branch")
            token = sandbox["reuse_token"]
            base = resource_uri(REPO, sandbox["branch"], "")
            errors = []
            for uri in (
                resource_uri(REPO, "main", "README.md") + f"?reuse_token={token}",
                f"{base}../../etc/passwd?reuse_token={token}",
                "file:///etc/passwd",
            ):
                with pytest.raises(MCPError) as raised:
                    await client.read_resource(uri)
                errors.append(raised.value)
            return errors[0], errors[1], errors[2]

    to_main, outside, foreign = anyio.run(run)
    assert to_main.error.data["error"]["code"] == "branch_not_allowed"
    assert outside.error.data["error"]["code"] in {"invalid_path", "path_not_found"}
    assert foreign.error.message.startswith("invalid_input")
    with services.database.session() as session:
        reads = [e for e in store.list_audit_events(session, limit=100) if e.tool == "files.read"]
    assert {e.error_code for e in reads} >= {"branch_not_allowed"}


def test_sync_sends_progress_when_asked(services: Services) -> None:
    heard: list[tuple[float, float | None, str | None]] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        heard.append((done, total, message))

    async def run() -> tuple[str | None, dict[str, Any]]:
        async with client_for(services) as client:
            sandbox = await start(client, "branch")
            commit_by_hand(services, "main", "new.md", b"new\n")
            result = await client.call_tool("sandbox_sync", sandbox, progress_callback=on_progress)
            return outcome_of(result)

    error, synced = anyio.run(run)
    assert error is None, synced
    assert [total for _, total, _ in heard] == [3, 3, 3]
    assert [done for done, _, _ in heard] == sorted(done for done, _, _ in heard)
    assert heard[-1][2] is not None and "synced" in heard[-1][2]


def test_prompts_over_http_with_an_agent_key(services: Services) -> None:
    key = new_key(services, "agent")

    async def run() -> str:
        with serving(services) as base:
            async with http_mcp_client(f"{base}/mcp?toolsets=core", key, "legacy") as client:
                sandbox = await start(client)
                prompt = await client.get_prompt(
                    "resume", {"repo_name": REPO, "reuse_token": sandbox["reuse_token"]}
                )
                content = prompt.messages[0].content
                assert isinstance(content, types.TextContent)
                return content.text

    assert "Demo" in anyio.run(run)


def test_error_data_is_json(services: Services) -> None:
    async def run() -> MCPError:
        async with client_for(services) as client:
            with pytest.raises(MCPError) as raised:
                await client.read_resource("draftroom://demo/x/y?bogus=1")
            return raised.value

    error = anyio.run(run)
    assert json.dumps(error.error.data)  # a plain JSON body


def test_progress_over_http_streams_only_when_asked(services: Services) -> None:
    """A call with a progress token is answered as a stream, progress first; others stay JSON."""
    key = new_key(services, "agent")
    heard: list[tuple[float, float | None, str | None]] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        heard.append((done, total, message))

    async def run() -> str | None:
        with serving(services) as base:
            async with http_mcp_client(f"{base}/mcp", key, "legacy") as client:
                sandbox = await start(client, "branch")
                commit_by_hand(services, "main", "new.md", b"new\n")
                result = await client.call_tool(
                    "sandbox_sync", sandbox, progress_callback=on_progress
                )
                return outcome_of(result)[0]

    assert anyio.run(run) is None
    assert [done for done, _, _ in heard] == [0, 1, 3]


def test_merge_preview_reports_progress(services: Services) -> None:
    heard: list[str | None] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        heard.append(message)

    async def run() -> str | None:
        async with client_for(services) as client:
            sandbox = await start(client, "branch")
            change = {"path": "a.md", "content": "a\n", "message": "a"}
            assert (
                outcome_of(await client.call_tool("files_write", {**sandbox, **change}))[0] is None
            )
            request = {**sandbox, "title": "A", "description": "adds a"}
            error, opened = outcome_of(await client.call_tool("merge_request", request))
            assert error is None, opened
            shown = await client.call_tool(
                "merge_show", {"id": opened["id"], "patch": True}, progress_callback=on_progress
            )
            return outcome_of(shown)[0]

    assert anyio.run(run) is None
    assert heard[0] is not None and heard[0].startswith("previewing merge request")
    assert "building the patch" in heard
