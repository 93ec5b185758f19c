"""The plugin host without installing anything: ``requires_api`` checks, declarations, and
hooks that do not exist, each refused with a message naming the plugin."""

from __future__ import annotations

import types

import pytest
from pydantic import BaseModel

from draftroom.plugins import (
    PluginContext,
    PluginHost,
    PluginRefused,
    accepted_versions,
    hookimpl,
    load_plugin,
    tool,
)
from draftroom.tools import build_registry


@pytest.mark.parametrize(
    ("requires", "accepted"),
    [(">=1,<3", [1, 2]), (">=2", [2]), ("==1", [1]), ("<1", []), (" > 1 , != 3 ", [2])],
)
def test_requires_api_accepts_the_supported_versions_it_names(
    requires: str, accepted: list[int]
) -> None:
    assert accepted_versions(requires) == accepted


def module(name: str, **values: object) -> types.ModuleType:
    made = types.ModuleType(name)
    vars(made).update(values)
    return made


@pytest.mark.parametrize("requires", [None, "~=1", ">=one", ">=3"])
def test_a_plugin_without_a_met_requires_api_is_refused(requires: str | None) -> None:
    values = {} if requires is None else {"requires_api": requires}
    with pytest.raises(PluginRefused, match="plugin 'old'"):
        load_plugin("old", module("old_plugin", **values))


class In(BaseModel):
    text: str


class Out(BaseModel):
    size: int


def test_a_tool_must_be_group_verb_with_models() -> None:
    with pytest.raises(ValueError, match=r"group\.verb"):
        tool("Shout", summary="s", description="d")
    with pytest.raises(ValueError, match="def f"):

        @tool("size.of", summary="s", description="d")
        def untyped(ctx, body):  # type: ignore[no-untyped-def]
            return body


class Clash(BaseModel):
    branch: str


def test_a_tool_that_redeclares_the_sandbox_fields_is_refused() -> None:
    @tool("size.of", summary="s", description="d")
    def size(ctx: PluginContext, body: Clash) -> Out:
        return Out(size=0)

    plugin = load_plugin("sizes", module("sizes", requires_api=">=1", size=size))
    with pytest.raises(PluginRefused, match=r"plugin 'sizes'.*\['branch'\]"):
        build_registry(plugins=PluginHost([plugin]))


def test_a_plugin_tool_taking_another_plugins_path_is_refused_naming_both() -> None:
    def declare() -> object:
        @tool("size.of", summary="s", description="d")
        def size(ctx: PluginContext, body: In) -> Out:
            return Out(size=len(body.text))

        return size

    first = load_plugin("one", module("one", requires_api=">=1", size=declare()))
    second = load_plugin("two", module("two", requires_api=">=1", size=declare()))
    with pytest.raises(PluginRefused, match=r"plugin 'two'.*'size\.of'.*plugin 'one'"):
        build_registry(plugins=PluginHost([first, second]))


def test_a_hook_that_does_not_exist_is_refused() -> None:
    @hookimpl
    def before_comit(ctx: PluginContext, changes: object) -> None:
        return None

    plugin = load_plugin("typo", module("typo", requires_api=">=1", before_comit=before_comit))
    with pytest.raises(PluginRefused, match=r"plugin 'typo'.*before_comit"):
        PluginHost([plugin])


def test_more_plugin_tools_than_a_gpt_schema_holds_are_refused() -> None:
    def declare(number: int) -> object:
        @tool(f"many.tool{number}", summary="s", description="d")
        def handler(ctx: PluginContext, body: In) -> Out:
            return Out(size=number)

        return handler

    tools = {f"tool{n}": declare(n) for n in range(31)}
    plugin = load_plugin("many", module("many", requires_api=">=1", **tools))
    with pytest.raises(PluginRefused, match="31 tools, more than the 30"):
        build_registry(plugins=PluginHost([plugin]))


def test_a_tool_description_past_the_gpt_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="description must be 1 to 300"):
        tool("size.of", summary="s", description="x" * 301)
