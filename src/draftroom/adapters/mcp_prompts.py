"""MCP prompts: the resume briefing and every template's prompt pack (``domain.workspace``).

``prompts/list`` shows ``resume`` and ``<template>_<prompt>`` (``software_change``);
``prompts/get`` fills the arguments in. ``resume`` runs the ``context.resume`` tool through
the registry (authenticated, scoped, audited) and hands its briefing to the model; the packs
are text, with the tool names shown as MCP tool names. No prompt logic lives here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext

from draftroom.domain.workspace import PROMPT_PACKS, Prompt, render_prompt
from draftroom.errors import InvalidInput

Context = ServerRequestContext[Any, Any]
RunTool = Callable[[Context, str, dict[str, Any]], Awaitable[dict[str, Any]]]
Render = Callable[[str], str]
RESUME = "resume"
RESUME_ARGUMENTS = {
    "repo_name": "The repository, e.g. 'demo'.",
    "reuse_token": "The sandbox's reuse token.",
    "branch": "The sandbox branch; default: the token's.",
}


def _given(
    names: Any, defaults: dict[str, Any], arguments: dict[str, str] | None
) -> dict[str, str]:
    """The client's arguments over the server's defaults for the prompt's ``names``."""
    return {
        **{name: str(value) for name, value in defaults.items() if name in names},
        **(arguments or {}),
    }


def _listed(name: str, prompt: Prompt, render: Render) -> types.Prompt:
    return types.Prompt(
        name=name,
        description=render(prompt.description),
        arguments=[
            types.PromptArgument(name=a.name, description=a.description, required=a.required)
            for a in prompt.arguments
        ],
    )


def prompt_handlers(
    run_tool: RunTool, render: Render, defaults: dict[str, Any]
) -> tuple[
    Callable[[Context, types.PaginatedRequestParams | None], Awaitable[types.ListPromptsResult]],
    Callable[[Context, types.GetPromptRequestParams], Awaitable[types.GetPromptResult]],
]:
    """``(list_prompts, get_prompt)``; ``defaults`` (local mode) fill omitted arguments."""
    packs = {
        f"{template}_{prompt.name}": prompt
        for template, prompts in PROMPT_PACKS.items()
        for prompt in prompts
    }
    resume = types.Prompt(
        name=RESUME,
        description="Catch up on a sandbox: project, goals, open tasks, memories, last changes.",
        arguments=[
            types.PromptArgument(
                name=name, description=text, required=name != "branch" and name not in defaults
            )
            for name, text in RESUME_ARGUMENTS.items()
        ],
    )
    listed = [resume, *(_listed(name, prompt, render) for name, prompt in packs.items())]

    async def list_prompts(
        ctx: Context, params: types.PaginatedRequestParams | None
    ) -> types.ListPromptsResult:
        return types.ListPromptsResult(prompts=listed)

    async def get_prompt(
        ctx: Context, params: types.GetPromptRequestParams
    ) -> types.GetPromptResult:
        if params.name == RESUME:
            given = _given(RESUME_ARGUMENTS, defaults, params.arguments)
            unknown = set(given) - set(RESUME_ARGUMENTS)
            if unknown:
                raise InvalidInput(f"prompt 'resume' takes no argument {sorted(unknown)[0]!r}")
            output = await run_tool(ctx, "context.resume", dict(given))
            text = output["briefing"]
            description = f"Briefing of {output['branch']} at {output['head'][:12]}"
        elif params.name in packs:
            prompt = packs[params.name]
            names = tuple(argument.name for argument in prompt.arguments)
            text = render(render_prompt(prompt, _given(names, defaults, params.arguments)))
            description = render(prompt.description)
        else:
            raise InvalidInput(f"no prompt named {params.name!r}; see prompts/list")
        return types.GetPromptResult(
            description=description,
            messages=[types.PromptMessage(role="user", content=types.TextContent(text=text))],
        )

    return list_prompts, get_prompt
