"""The Custom GPT instructions (``draftroom gpt``): the whole story, within the editor's limit,
naming only operations the GPT's schema has."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from draftroom.adapters.gpt import INSTRUCTIONS, gpt_setup

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
