"""Prompt packs: each project template's ready-made prompts, as plain data.

A host shows them in a menu (MCP ``prompts/list``); picking one fills its arguments into its
text (``render_prompt``). Every prompt names the sandbox it works in (``repo_name``,
``reuse_token``), so the assistant's tool calls land there. Tool names in the texts are
``group.verb``; each adapter shows them as its callers know them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from draftroom.errors import InvalidInput

MAX_ARGUMENT_CHARS = 4_000
_FIELD = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class PromptArgument:
    name: str
    description: str
    required: bool = True


@dataclass(frozen=True)
class Prompt:
    name: str
    description: str
    arguments: tuple[PromptArgument, ...]
    text: str
    """With ``{argument}`` fields; an optional argument left out renders as ''."""


SANDBOX_ARGUMENTS = (
    PromptArgument("repo_name", "The repository, e.g. 'demo'."),
    PromptArgument("reuse_token", "The sandbox's reuse token."),
)
_SANDBOX = "Work in the sandbox of {repo_name} (reuse_token {reuse_token})."


def _prompt(name: str, description: str, text: str, *extra: PromptArgument) -> Prompt:
    return Prompt(name, description, (*SANDBOX_ARGUMENTS, *extra), f"{_SANDBOX} {text}")


_GOAL = PromptArgument("goal", "What you want done, in a sentence or two.")
_NOTES = PromptArgument("notes", "Anything else to keep in mind.", required=False)

PROMPT_PACKS: dict[str, tuple[Prompt, ...]] = {
    "default": (
        _prompt(
            "plan",
            "Turn a goal into tasks, then start on the first.",
            "Call context.resume to catch up, then break this goal into tasks with tasks.create "
            "and start the first: {goal} {notes}",
            _GOAL,
            _NOTES,
        ),
        _prompt(
            "wrap_up",
            "Record what was done and what is next before stopping.",
            "Before we stop: update the tasks (tasks.update), add what we decided with "
            "memory.add, and log why with reasoning.log. Then summarise the branch's changes "
            "(sandbox.status).",
        ),
    ),
    "software": (
        _prompt(
            "change",
            "Make one code change with a test, as one commit.",
            "Read the code it touches first (files.list, files.read). Make this change with a "
            "test, in one git.commit, then show me the diff (git.diff): {goal} {notes}",
            _GOAL,
            _NOTES,
        ),
        _prompt(
            "review",
            "Review the sandbox's changes against main before a merge request.",
            "Review everything this sandbox changed against main (git.diff from main): "
            "correctness, tests, naming. Fix what you find as commits, then open a merge "
            "request with merge.request.",
        ),
    ),
    "writing": (
        _prompt(
            "draft",
            "Write or continue a draft of a document.",
            "Read the outline and the current draft (files.read), then write the next part "
            "as one commit: {goal} {notes}",
            _GOAL,
            _NOTES,
        ),
        _prompt(
            "revise",
            "Revise a document for clarity and length.",
            "Revise {path} for clarity and concision, keeping its meaning; commit the result "
            "with a message saying what changed.",
            PromptArgument("path", "The document, e.g. 'draft.md'."),
        ),
    ),
}
"""Template name (as ``TEMPLATES``) -> its prompts."""


def render_prompt(prompt: Prompt, arguments: dict[str, str]) -> str:
    """The prompt's text with ``arguments`` filled in; a missing required one is a 400."""
    known = {argument.name for argument in prompt.arguments}
    unknown = sorted(set(arguments) - known)
    if unknown:
        raise InvalidInput(f"prompt {prompt.name!r} takes no argument {unknown[0]!r}")
    for argument in prompt.arguments:
        value = arguments.get(argument.name, "")
        if argument.required and not value.strip():
            raise InvalidInput(f"prompt {prompt.name!r} needs the argument {argument.name!r}")
        if len(value) > MAX_ARGUMENT_CHARS:
            raise InvalidInput(
                f"argument {argument.name!r} is longer than {MAX_ARGUMENT_CHARS} characters"
            )
    return _FIELD.sub(lambda found: arguments.get(found.group(1), "").strip(), prompt.text).strip()
