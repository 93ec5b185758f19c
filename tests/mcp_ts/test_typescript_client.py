"""The official TypeScript MCP client (Node, from npm) through the whole story, HTTP and stdio.

Most MCP hosts are built on that client, and it is strict where the Python one is lenient:
``callTool`` checks structured content against the tool's ``outputSchema`` and throws
``McpError -32602`` on a mismatch, so the model never sees the answer. ``story.mjs`` runs the
calls and prints what the client made of each; the SDK version is pinned by
``package-lock.json`` (``npm ci`` installs it into ``node_modules`` on first use).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from draftroom.config import Settings
from draftroom.domain.calls.services import Services
from draftroom.domain.repos.setup import setup_default
from draftroom.tools import build_registry
from tests.adapters.test_mcp import serving
from tests.support.api import new_key

HERE = Path(__file__).parent
ANNOTATIONS = {"title", "readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"}
SUCCESSES = ["init", "commit", "read", "rollback", "undo", "read_again", "merge_request"]
ERRORS = {
    "wrong_token": "unauthorized",
    "other_branch": "branch_not_allowed",
    "missing_file": "path_not_found",
    "bad_path": "invalid_path",
    "bad_input": "invalid_request",
    "stale_head": "stale_head",
}
LAST_ERROR = {
    "http": ("admin_tool", "insufficient_scope"),
    "stdio": ("admin_tool", "insufficient_scope"),
}
"""Over stdio too: ``draftroom mcp`` serves an agent, who cannot approve its own merge."""


def node_modules() -> None:
    """Fail (never skip) without Node: hosts run this client, CI installs Node (.ci/run)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail(
            "node and npm are needed for the TypeScript client test (apt-get install nodejs npm)"
        )
    if not (HERE / "node_modules" / "@modelcontextprotocol" / "sdk").is_dir():
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr


def run_story(config: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        ["node", str(HERE / "story.mjs"), json.dumps(config)],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ.copy(),
    )
    assert done.returncode == 0, done.stderr
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


def check_run(run: dict[str, Any], transport: str, tool_names: set[str]) -> None:
    by_step = {step["step"]: step for step in run["steps"]}
    thrown = {name: step["thrown"] for name, step in by_step.items() if "thrown" in step}
    assert thrown == {}, f"the TypeScript client rejected results over {transport}: {thrown}"
    for name in SUCCESSES:
        step = by_step[name]
        assert step["is_error"] is False, step
        assert step["structured"] is True and step["text_matches"] is True, step
    last, last_code = LAST_ERROR[transport]
    for name, code in {**ERRORS, last: last_code}.items():
        step = by_step[name]
        assert step["is_error"] is True and step["structured"] is False, step
        assert step["code"] == code, step
        assert step["message"] and step["request_id"], step
    assert set(by_step) == {*SUCCESSES, *ERRORS, last}
    assert run["reread_content"] == "print('hi')\n"  # the undo re-applied the commit
    assert {tool["name"] for tool in run["tools"]} == tool_names
    extras = run["extras"]
    assert {"resume", "software_change", "writing_draft"} <= set(extras["prompts"])
    assert extras["resume_text"] and "Add app" in extras["resume_text"]
    assert extras["templates"] == ["draftroom://{repo}/{branch}/{+path}"]
    assert extras["slice"] == "'hi'"
    assert extras["sync_error"] is True  # nothing to sync: main did not move
    assert extras["progress"][:1] == [0]  # the first step was reported all the same
    writes = {tool.operation_id for tool in build_registry() if tool.writes}
    for tool in run["tools"]:
        annotations = tool["annotations"]
        assert set(annotations) == ANNOTATIONS, tool
        assert annotations["readOnlyHint"] is (tool["name"] not in writes), tool
        assert annotations["openWorldHint"] is False, tool


@pytest.mark.slow
def test_typescript_client_runs_the_story_over_http_and_stdio(tmp_path: Path) -> None:
    node_modules()
    services = Services(Settings(data_dir=tmp_path / "data"))
    setup_default(services)
    agent = new_key(services, "agent")
    stdio = {
        "command": sys.executable,
        "args": ["-m", "draftroom", "mcp", "--data-dir", str(services.settings.data_dir)],
    }
    with serving(services) as base:
        summary = run_story({"http": {"url": f"{base}/mcp", "key": agent}, "stdio": stdio})

    registry = build_registry()
    check_run(summary["http"], "http", {t.operation_id for t in registry if t.scope == "sandbox"})
    check_run(summary["stdio"], "stdio", {t.operation_id for t in registry if t.scope == "sandbox"})
    read_only = summary["read_only"]
    core_reads = {t.operation_id for t in registry if t.toolset == "core" and not t.writes}
    assert set(read_only["tools"]) == core_reads
    assert read_only["write"]["is_error"] is True and read_only["write"]["code"] == "read_only"
