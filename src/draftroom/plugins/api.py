"""What a plugin module imports: ``@tool`` for its tools, ``hookimpl`` for its hooks, and the
shapes its hooks receive. Small and stable on purpose: nothing of draftroom's internals.

A plugin is an installed package with an entry point in the group ``draftroom.plugins``
naming a module; that module declares ``requires_api`` (e.g. ``">=1,<3"``), its tools with
``@tool`` and its hooks with ``@hookimpl`` (see ``hookspecs``).
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pluggy
from pydantic import BaseModel

PROJECT = "draftroom"
hookimpl = pluggy.HookimplMarker(PROJECT)
"""Marks a plugin module's function as the implementation of the hook of its name."""
TOOL_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}\.[a-z][a-z0-9_]{0,39}$")
MAX_TEXT = 300
"""Longest summary or description: what a GPT's schema import takes."""
_DECLARATION = "__draftroom_plugin_tool__"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class FileChange:
    """One path of a change set as a ``before_commit`` hook sees it: its new content, or
    ``data`` None when the commit deletes it."""

    path: str
    data: bytes | None

    @property
    def deleted(self) -> bool:
        return self.data is None


@dataclass(frozen=True)
class PluginTool:
    """What ``@tool`` says about a plugin's function, and the models its annotations name."""

    name: str
    summary: str
    description: str
    writes: bool
    function: Callable[..., BaseModel]
    input_model: type[BaseModel]
    output_model: type[BaseModel]


def tool(name: str, *, summary: str, description: str, writes: bool = False) -> Callable[[F], F]:
    """Declare ``def f(ctx, body: In) -> Out`` as the tool ``name`` (``group.verb``): served
    at ``POST /group/verb``, as an MCP tool and by ``draftroom call``. ``writes``: it commits
    with ``ctx.commit`` (callers may then send an idempotency key)."""
    if not TOOL_NAME.match(name):
        raise ValueError(f"plugin tool name {name!r} must be group.verb, e.g. wordcount.count")
    for what, text in (("summary", summary), ("description", description)):
        if not text.strip() or len(text) > MAX_TEXT:
            raise ValueError(f"{name}: its {what} must be 1 to {MAX_TEXT} characters (GPT limit)")

    def declare(function: F) -> F:
        hints = typing.get_type_hints(function)
        params = list(inspect.signature(function).parameters)
        if len(params) != 2 or params[1] not in hints or "return" not in hints:
            raise ValueError(f"{name}: annotate it as def f(ctx, body: In) -> Out")
        input_model, output_model = hints[params[1]], hints["return"]
        for model in (input_model, output_model):
            if not (isinstance(model, type) and issubclass(model, BaseModel)):
                raise ValueError(f"{name}: {model!r} is not a pydantic model")
        declared = PluginTool(
            name, summary, description, writes, function, input_model, output_model
        )
        setattr(function, _DECLARATION, declared)
        return function

    return declare


def declared_tool(value: object) -> PluginTool | None:
    found = getattr(value, _DECLARATION, None)
    return found if isinstance(found, PluginTool) else None
