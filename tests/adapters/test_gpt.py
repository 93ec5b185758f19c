"""The Custom GPT instructions (``draftroom gpt``): the whole story, within the editor's limit,
naming only operations the GPT's schema has."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from draftroom.adapters.cli import app as cli
from draftroom.adapters.gpt import INSTRUCTIONS, gpt_setup
from draftroom.domain.calls import Services

CUSTOM_GPT_INSTRUCTIONS_LIMIT = 8000


def test_instructions_fit_the_custom_gpt_editor() -> None:
    assert len(INSTRUCTIONS) <= CUSTOM_GPT_INSTRUCTIONS_LIMIT
    pasted = gpt_setup("https://dr.example").split("== Actions ==")[0]
    assert len(pasted) <= CUSTOM_GPT_INSTRUCTIONS_LIMIT


def test_instructions_tell_the_whole_story_in_order() -> None:
    story = [
        "/sandbox/init",  # start
        "SAVE THE REUSE TOKEN",
        "/context/resume",  # resume
        "/git/commit",  # work
        "/sandbox/undo",  # undo
        "/sandbox/sync",  # sync with main
        "resolutions: [{path, content}]",
        "/merge/request",  # ask for a merge
    ]
    at = [INSTRUCTIONS.index(step) for step in story]
    assert at == sorted(at)


def test_every_path_the_instructions_name_is_in_the_gpt_schema(client: TestClient) -> None:
    schema_paths = set(client.get("/openapi.json").json()["paths"])
    named = set(re.findall(r"(/[a-z_]+/[a-z_]+)", INSTRUCTIONS))
    assert named and named <= schema_paths, named - schema_paths


def test_gpt_with_a_template_adds_its_prompt_pack_within_the_limit(services: Services) -> None:
    data_dir = str(services.settings.data_dir)
    done = CliRunner().invoke(cli, ["gpt", "--data-dir", data_dir, "--template", "llm-chatbot"])
    assert done.exit_code == 0, done.output
    pasted = done.output.split("== Instructions (paste into the GPT's Instructions box) ==\n")[1]
    instructions = pasted.split("== Actions ==")[0]
    assert len(instructions) <= CUSTOM_GPT_INSTRUCTIONS_LIMIT
    assert "Project template: llm-chatbot@1.0.0" in instructions
    assert 'template: "llm-chatbot@1.0.0"' in instructions and "/prompts/get" in instructions
    assert "  - kickoff: You are building {project_name}, a chat app" in instructions
    missing = CliRunner().invoke(cli, ["gpt", "--data-dir", data_dir, "--template", "nope-x"])
    assert missing.exit_code == 1 and "no template 'nope-x'" in missing.output
