"""Installed plugins, end to end: the example plugins (``examples/plugins/``) and a raising
one installed into a fresh environment, served by a real ``draftroom serve`` over HTTP, by
``draftroom mcp`` to the official MCP client, and by ``draftroom call``.

Every hook of ``draftroom.plugins.hookspecs`` has a test here named after it
(``test_plugin_docs`` holds that promise).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import mcp_types as types
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from tests.plugins.env import EXAMPLES, PACKAGES, env_vars, fresh_env
from tests.support.server import Server

pytestmark = pytest.mark.slow


class Served:
    """The fresh environment, its server, and one sandbox opened there by the admin."""

    def __init__(self, python: Path, server: Server, journal: Path) -> None:
        self.python, self.server, self.journal = python, server, journal
        self.sandbox = server.start_sandbox()

    def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        auth = {"Authorization": f"Bearer {self.server.admin_key}"}
        return httpx.post(self.server.base + path, json=body, headers=auth, timeout=60)

    def ok(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = self.post(path, {**self.sandbox, **body})
        assert answer.status_code in (200, 201), answer.text
        found: dict[str, Any] = answer.json()
        return found

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.python), "-m", "draftroom", *args, "--data-dir", str(self.server.data)]
        return subprocess.run(command, capture_output=True, text=True, env=self.env, timeout=120)

    @property
    def env(self) -> dict[str, str]:
        return env_vars(**GUARD, DRAFTROOM_GUARD_JOURNAL=str(self.journal))

    def journal_events(self, event: str) -> list[dict[str, Any]]:
        lines = self.journal.read_text().splitlines() if self.journal.exists() else []
        return [e for e in map(json.loads, lines) if e["event"] == event]


GUARD = {"DRAFTROOM_GUARD_PROTECTED": "protected/", "DRAFTROOM_GUARD_MAX_DELETIONS": "1"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("plugins")
    python = fresh_env(root / "env", EXAMPLES / "wordcount", EXAMPLES / "guard", PACKAGES / "flaky")
    journal = root / "journal.jsonl"
    env = env_vars(**GUARD, DRAFTROOM_GUARD_JOURNAL=str(journal))
    with Server(root / "data", env=env, python=python) as server:
        yield Served(python, server, journal)


def test_a_plugin_tool_is_served_over_http_and_in_the_gpt_schema(served: Served) -> None:
    served.ok(
        "/files/write",
        {"path": "essay.txt", "content": "one two three\nfour\n", "message": "Essay"},
    )
    counted = served.ok("/wordcount/count", {"path": "essay.txt"})
    assert counted == {"path": "essay.txt", "words": 4, "lines": 2}
    schema = httpx.get(served.server.base + "/openapi.json", timeout=30).json()
    assert "/wordcount/count" in schema["paths"]
    selected = httpx.get(served.server.base + "/openapi.json?toolsets=plugins", timeout=30).json()
    operations = [op["operationId"] for item in selected["paths"].values() for op in item.values()]
    assert sorted(operations) == ["flaky_explode", "wordcount_count", "wordcount_report"]
    missing = served.post("/wordcount/count", {**served.sandbox, "path": "nope.txt"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "path_not_found"
    unauthenticated = httpx.post(served.server.base + "/wordcount/count", json={}, timeout=30)
    assert unauthenticated.status_code == 401


def test_a_plugin_tool_commits_through_the_audited_path(served: Served) -> None:
    served.ok("/files/write", {"path": "a.txt", "content": "alpha beta", "message": "A"})
    report = served.ok("/wordcount/report", {"paths": ["a.txt"], "report": "COUNT.md"})
    read = served.ok("/files/read", {"path": "COUNT.md"})
    assert "| a.txt | 2 | 1 |" in read["content"]
    history = served.ok("/git/history", {})
    assert history["commits"][0]["sha"] == report["sha"]


def test_before_commit_policy_refuses_with_its_reason_and_writes_nothing(served: Served) -> None:
    head = served.ok("/sandbox/status", {})["head"]
    refused = served.post(
        "/files/write",
        {**served.sandbox, "path": "protected/keys.txt", "content": "x", "message": "Try"},
    )
    assert refused.status_code == 403, refused.text
    error = refused.json()["error"]
    assert error["code"] == "commit_refused"
    assert "'protected/keys.txt' is protected" in error["message"]
    assert error["details"]["plugin"] == "guard"
    served.ok("/files/write", {"path": "d1.txt", "content": "1", "message": "d1"})
    served.ok("/files/write", {"path": "d2.txt", "content": "2", "message": "d2"})
    before = served.ok("/sandbox/status", {})["head"]
    deletes = [{"path": "d1.txt", "delete": True}, {"path": "d2.txt", "delete": True}]
    too_many = served.post(
        "/git/commit", {**served.sandbox, "message": "Clean up", "changes": deletes}
    )
    assert too_many.status_code == 403
    assert "deletes 2 files, more than 1" in too_many.json()["error"]["message"]
    assert served.ok("/sandbox/status", {})["head"] == before != head


def test_before_commit_sees_what_a_rollback_would_delete(served: Served) -> None:
    adds = [{"path": "r1.txt", "content": "1"}, {"path": "r2.txt", "content": "2"}]
    made = served.ok("/git/commit", {"message": "Two files", "changes": adds})
    refused = served.post(
        "/git/rollback_commit", {**served.sandbox, "commit_sha": made["commit_sha"]}
    )
    assert refused.status_code == 403, refused.text
    assert "deletes 2 files, more than 1" in refused.json()["error"]["message"]
    assert served.ok("/sandbox/status", {})["head"] == made["commit_sha"]


def test_a_raising_plugin_fails_its_call_and_the_server_stays_up(served: Served) -> None:
    failed = served.post("/flaky/explode", served.sandbox)
    assert failed.status_code == 500
    error = failed.json()["error"]
    assert error["code"] == "plugin_error"
    assert error["request_id"] == failed.headers["x-request-id"]
    assert "exploded" not in error["message"]  # the traceback stays in the server's log
    exported = served.cli("audit", "export")
    assert exported.returncode == 0, exported.stderr
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    row = next(r for r in rows if r["request_id"] == error["request_id"])
    assert row["tool"] == "flaky.explode" and "plugin_error" in json.dumps(row)
    assert "exploded" in served.server.log.read_text()  # logged under the request id
    boom = served.post(
        "/files/write", {**served.sandbox, "path": "boom.txt", "content": "x", "message": "b"}
    )
    assert boom.status_code == 500 and boom.json()["error"]["code"] == "plugin_error"
    assert served.post("/files/read", {**served.sandbox, "path": "boom.txt"}).status_code == 404
    served.ok("/files/write", {"path": "after.txt", "content": "still up", "message": "ok"})
    assert served.ok("/wordcount/count", {"path": "after.txt"})["words"] == 2


def test_after_commit_hook_hears_each_commit(served: Served) -> None:
    written = served.ok("/files/write", {"path": "heard.txt", "content": "x", "message": "h"})
    events = served.journal_events("commit")
    assert {"sha": written["commit_sha"], "files": ["heard.txt"]}.items() <= events[-1].items()
    assert events[-1]["branch"] == served.sandbox["branch"]


def test_on_merge_request_hook_hears_a_new_request(served: Served) -> None:
    opened = served.ok("/merge/request", {"title": "Plugins were here"})
    event = served.journal_events("merge_request")[-1]
    assert event["id"] == opened["id"] and event["title"] == "Plugins were here"
    assert event["repo"] == "demo"


def test_on_tool_error_hook_hears_a_failed_call(served: Served) -> None:
    failed = served.post("/files/read", {**served.sandbox, "path": "never.txt"})
    event = served.journal_events("tool_error")[-1]
    assert event == {
        "event": "tool_error",
        "tool": "files.read",
        "code": "path_not_found",
        "message": failed.json()["error"]["message"],
        "request_id": failed.headers["x-request-id"],
    }


def test_register_templates_hook_gives_the_plugins_template_dirs(served: Served) -> None:
    code = (
        "from draftroom.tools import build_registry\n"
        "print('\\n'.join(map(str, build_registry().plugins.template_dirs())))"
    )
    out = subprocess.run(
        [str(served.python), "-c", code], capture_output=True, text=True, env=served.env, check=True
    ).stdout.split()
    assert [Path(d).name for d in out] == ["templates"]
    assert (Path(out[0]) / "wordcount-report.md").is_file()


def _mcp(served: Served, script: Any) -> Any:
    params = StdioServerParameters(
        command=str(served.python),
        args=["-m", "draftroom", "mcp", "--data-dir", str(served.server.data)],
        env=served.env,
    )

    async def run() -> Any:
        async with Client(stdio_client(params), mode="legacy") as client:
            return await script(client)

    return anyio.run(run)


def _text(result: types.CallToolResult) -> dict[str, Any]:
    assert isinstance(result.content[0], types.TextContent)
    found: dict[str, Any] = json.loads(result.content[0].text)
    return found


def test_a_plugin_tool_is_an_mcp_tool(served: Served) -> None:
    async def script(client: Client) -> tuple[set[str], dict[str, Any]]:
        names = {tool.name for tool in (await client.list_tools()).tools}
        init = _text(await client.call_tool("sandbox_init", {"repo_name": "demo"}))
        sandbox = {"repo_name": "demo", "reuse_token": init["reuse_token"]}
        args = {**sandbox, "path": "m.txt", "content": "a b c", "message": "m"}
        await client.call_tool("files_write", args)
        counted = await client.call_tool("wordcount_count", {**sandbox, "path": "m.txt"})
        assert not counted.is_error, counted
        return names, _text(counted)

    names, counted = _mcp(served, script)
    assert {"wordcount_count", "wordcount_report", "flaky_explode"} <= names
    assert counted == {"path": "m.txt", "words": 3, "lines": 1}


def test_a_plugin_tool_is_a_cli_call(served: Served) -> None:
    init = served.cli("call", "sandbox.init", "--json", '{"repo_name": "demo"}')
    assert init.returncode == 0, init.stderr
    sandbox = {"repo_name": "demo", "reuse_token": json.loads(init.stdout)["reuse_token"]}
    write = {**sandbox, "path": "c.txt", "content": "x y", "message": "c"}
    assert served.cli("call", "files.write", "--json", json.dumps(write)).returncode == 0
    counted = served.cli(
        "call", "wordcount.count", "--json", json.dumps({**sandbox, "path": "c.txt"})
    )
    assert counted.returncode == 0, counted.stderr
    assert json.loads(counted.stdout) == {"path": "c.txt", "words": 2, "lines": 1}


def test_plugin_list_shows_plugins_their_tools_and_versions(served: Served) -> None:
    listed = served.cli("plugin", "list")
    assert listed.returncode == 0, listed.stderr
    lines = {line.split("\t")[0]: line for line in listed.stdout.splitlines()}
    assert set(lines) == {"flaky", "guard", "wordcount"}
    assert "draftroom-wordcount 0.1.0\tenabled" in lines["wordcount"]
    assert "wordcount.count, wordcount.report" in lines["wordcount"]


def test_a_disabled_plugin_is_not_listed_and_its_tools_answer_404(served: Served) -> None:
    base = served.server.base
    served.ok("/files/write", {"path": "off.txt", "content": "gamma delta", "message": "off"})
    assert served.cli("plugin", "disable", "wordcount").returncode == 0
    try:
        assert (
            "/wordcount/count" not in httpx.get(base + "/openapi.json", timeout=30).json()["paths"]
        )
        called = served.post("/wordcount/count", {**served.sandbox, "path": "off.txt"})
        assert called.status_code == 404, called.text
        assert "\tdisabled\t" in served.cli("plugin", "list").stdout
    finally:
        assert served.cli("plugin", "enable", "wordcount").returncode == 0
    assert served.ok("/wordcount/count", {"path": "off.txt"})["words"] == 2


def test_a_plugin_disabled_for_one_org_is_hidden_there_only(served: Served) -> None:
    assert served.cli("plugin", "disable", "guard", "--org", "default").returncode == 0
    try:
        listed = served.cli("plugin", "list", "--org", "default").stdout
        assert any(
            line.startswith("guard\t") and "\tdisabled\t" in line for line in listed.splitlines()
        )
        assert "\tdisabled\t" not in served.cli("plugin", "list").stdout  # server-wide: on
        served.ok("/files/write", {"path": "protected/ok.txt", "content": "x", "message": "p"})
        assert served.cli("plugin", "disable", "wordcount", "--org", "default").returncode == 0

        async def script(client: Client) -> set[str]:
            return {tool.name for tool in (await client.list_tools()).tools}

        assert "wordcount_count" not in _mcp(served, script)
        schema = httpx.get(served.server.base + "/openapi.json", timeout=30).json()
        assert "/wordcount/count" in schema["paths"]  # only that org's lists lose it
    finally:
        for name in ("guard", "wordcount"):
            assert served.cli("plugin", "enable", name, "--org", "default").returncode == 0
    refused = served.post(
        "/files/write",
        {**served.sandbox, "path": "protected/no.txt", "content": "x", "message": "p"},
    )
    assert refused.status_code == 403


def test_unknown_plugin_or_org_is_named(served: Served) -> None:
    unknown = served.cli("plugin", "disable", "nope")
    assert unknown.returncode == 1 and "no installed plugin 'nope'" in unknown.stderr
    assert "guard" in unknown.stderr
    no_org = served.cli("plugin", "disable", "guard", "--org", "nowhere")
    assert no_org.returncode == 1 and "no org 'nowhere'" in no_org.stderr


@pytest.mark.parametrize(
    ("package", "named"),
    [
        ("clash", ["plugin 'clash'", "'files.read'", "a built-in tool"]),
        ("future", ["plugin 'future'", "'>=3,<4'", "supports API versions 1, 2"]),
    ],
)
def test_a_plugin_that_cannot_be_served_is_refused_at_start(
    tmp_path: Path, package: str, named: list[str]
) -> None:
    python = fresh_env(tmp_path / "env", PACKAGES / package)
    command = [str(python), "-m", "draftroom", "serve", "--data-dir", str(tmp_path / "data")]
    started = subprocess.run(command, capture_output=True, text=True, env=env_vars(), timeout=120)
    assert started.returncode == 1
    assert "PluginRefused" in started.stderr
    for text in named:
        assert text in started.stderr
    assert not (tmp_path / "data").exists()  # refused before anything was created
