"""A plugin that raises: its tool always, its ``before_commit`` on a path named boom.txt."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from draftroom.plugins import FileChange, PluginContext, hookimpl, tool

requires_api = ">=1,<3"


class Nothing(BaseModel):
    pass


@tool("flaky.explode", summary="Always fails", description="Raises, to test failure handling.")
def explode(ctx: PluginContext, body: Nothing) -> Nothing:
    raise RuntimeError("the flaky plugin exploded")


@hookimpl
def before_commit(ctx: PluginContext, changes: Sequence[FileChange]) -> str | None:
    if any(change.path == "boom.txt" for change in changes):
        raise ZeroDivisionError("the flaky policy divided by zero")
    return None
