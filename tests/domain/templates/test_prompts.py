"""prompts.get: a prompt of the sandbox's template, filled from its workspace, over HTTP and
MCP; placeholders are filled by name only, never by ``str.format``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
from tests.adapters.test_mcp import http_mcp_client, outcome_of, serving
from tests.domain.templates.conftest import Cli, write_template
from tests.support.api import REPO, Api, error, new_key

from draftroom.domain.calls import Services
from draftroom.domain.templates import fill_prompt, placeholder_problems


def test_a_prompt_is_filled_from_the_workspace(api: Api, cli: Cli, tmp_path: Path) -> None:
    prompts = {
        "kickoff": "Build {project_name}. Goals: {goals}. Open: {open_tasks}. "
        "Done: {recent_changes}. Literal {{braces}}."
    }
    cli("template", "add", str(write_template(tmp_path / "t", prompts=prompts)))
    init = api.post(
        "/sandbox/init",
        expect=201,
        repo_name=REPO,
        mode="project",
        project_name="Atlas",
        goals=["Ship it", "Stay small"],
        template="tiny-app",
    )
    sb = {"repo_name": REPO, "reuse_token": init["reuse_token"]}
    api.post("/tasks/create", **sb, title="Write the docs")
    got = api.post("/prompts/get", **sb, name="kickoff")
    assert got["template"] == "tiny-app@1.2.0"
    task_id = api.post("/tasks/list", **sb)["items"][1]["id"]
    assert got["text"] == (
        "Build Atlas. Goals: Ship it; Stay small. Open: Run it (todo); Write the docs (todo). "
        f"Done: Add task {task_id}: Write the docs; Start project Atlas; Initial commit. "
        "Literal {braces}."
    )
    missing = api.post("/prompts/get", expect=404, **sb, name="nothing")
    assert "its prompts: kickoff" in error(missing)["message"]


def test_a_sandbox_without_a_template_gets_the_default_kickoff(api: Api) -> None:
    init = api.post(
        "/sandbox/init", expect=201, repo_name=REPO, mode="project", project_name="Atlas"
    )
    sb = {"repo_name": REPO, "reuse_token": init["reuse_token"]}
    got = api.post("/prompts/get", **sb, name="kickoff")
    assert got["template"] == "default@1.0.0"
    assert got["text"].startswith("You are building Atlas. Goals: none set yet. Open tasks: none.")


def test_a_kit_and_an_added_template_start_over_mcp_and_their_prompts_fill(
    services: Services, cli: Cli, tmp_path: Path
) -> None:
    cli("template", "add", str(write_template(tmp_path / "t", {"notes.md": "# Notes\n"})))
    key = new_key(services)

    async def start(client: Any, template: str) -> tuple[Any, Any, Any]:
        init = {"repo_name": REPO, "mode": "project", "project_name": "Chat"}
        started = outcome_of(await client.call_tool("sandbox_init", {**init, "template": template}))
        sb = {"repo_name": REPO, "reuse_token": started[1]["reuse_token"]}
        tasks = outcome_of(await client.call_tool("tasks_list", sb))
        prompt = outcome_of(await client.call_tool("prompts_get", {**sb, "name": "kickoff"}))
        return started, tasks, prompt

    async def run(base: str) -> list[tuple[Any, Any, Any]]:
        async with http_mcp_client(f"{base}/mcp", key, "auto") as client:
            return [await start(client, "llm-chatbot"), await start(client, "tiny-app@1.2.0")]

    with serving(services) as base:
        (kit, kit_tasks, kit_prompt), (added, tasks, prompt) = anyio.run(run, base)
    assert kit[0] is None and "chatbot.py" in kit[1]["scaffolded"]
    assert kit[1]["template"] == "llm-chatbot@1.0.0"
    assert kit_tasks[1]["items"][0]["title"] == "Run the tests"
    assert kit_prompt[1]["text"].startswith("You are building Chat, a chat app")
    assert added[1]["template"] == "tiny-app@1.2.0" and "notes.md" in added[1]["scaffolded"]
    assert [t["title"] for t in tasks[1]["items"]] == ["Run it"]
    assert prompt[1]["text"] == "You are building Chat. Goals: none set yet. Open: Run it (todo)."


def test_placeholders_are_names_never_attribute_or_index_lookups() -> None:
    assert placeholder_problems("{project_name} {{ok}}") == []
    assert placeholder_problems("{project_name.__class__}")
    assert placeholder_problems("{0[0]}") and placeholder_problems("a } b")
    values = {"project_name": "Atlas"}
    assert fill_prompt("{project_name}/{goals}/{{x}}", values) == "Atlas//{x}"
    assert fill_prompt("{project_name.__globals__}", values) == "{project_name.__globals__}"
