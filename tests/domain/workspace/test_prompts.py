"""The templates' prompt packs: plain data, filled in without surprises."""

from __future__ import annotations

import re

import pytest

from draftroom.domain.workspace import PROMPT_PACKS, TEMPLATES, render_prompt
from draftroom.errors import InvalidInput

FIELD = re.compile(r"\{([a-z_]+)\}")
SANDBOX = {"repo_name": "demo", "reuse_token": "tok"}


def test_every_template_has_a_prompt_pack_naming_its_sandbox() -> None:
    assert set(PROMPT_PACKS) == set(TEMPLATES)
    for pack in PROMPT_PACKS.values():
        assert pack and len({p.name for p in pack}) == len(pack)
        for prompt in pack:
            names = [a.name for a in prompt.arguments]
            assert names[:2] == ["repo_name", "reuse_token"]
            assert set(FIELD.findall(prompt.text)) <= set(names)


def test_arguments_are_filled_once_not_expanded_again() -> None:
    prompt = next(p for p in PROMPT_PACKS["software"] if p.name == "change")
    text = render_prompt(prompt, {**SANDBOX, "goal": "print {reuse_token} literally"})
    assert "print {reuse_token} literally" in text
    assert "demo" in text and "tok" in text
    assert "{notes}" not in text  # an optional argument left out renders as nothing


@pytest.mark.parametrize(
    "arguments",
    [
        {**SANDBOX},  # goal missing
        {**SANDBOX, "goal": "   "},
        {**SANDBOX, "goal": "x" * 4_001},
        {**SANDBOX, "goal": "x", "extra": "y"},
    ],
)
def test_bad_arguments_are_a_400(arguments: dict[str, str]) -> None:
    prompt = next(p for p in PROMPT_PACKS["software"] if p.name == "change")
    with pytest.raises(InvalidInput):
        render_prompt(prompt, arguments)
