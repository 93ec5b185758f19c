"""The tools, one module per group, and ``build_registry``, which collects them at start.

No registry exists at import time: ``create_app``, the MCP server and the CLI each build
one, so two registries never share state.
"""

from types import ModuleType

from draftroom.plugins import PluginHost
from draftroom.tools import (
    admin,
    audit,
    commits,
    context,
    failures,
    files,
    history,
    keys,
    maintenance,
    memory,
    merge,
    oauth,
    orgs,
    plugin_admin,
    reasoning,
    repo_settings,
    repos,
    sandbox,
    sync,
    system,
    tasks,
    templates,
    tokens,
    undo,
    upstream,
    users,
    webhooks,
)
from draftroom.tools.declaration import declaration_of, tool
from draftroom.tools.plugin_tools import add_plugin_tools
from draftroom.tools.registry import Registry, Tool

TOOL_MODULES: tuple[ModuleType, ...] = (
    admin,
    audit,
    commits,
    context,
    failures,
    files,
    history,
    keys,
    maintenance,
    memory,
    merge,
    oauth,
    orgs,
    plugin_admin,
    reasoning,
    repo_settings,
    repos,
    sandbox,
    sync,
    system,
    tasks,
    templates,
    tokens,
    undo,
    upstream,
    users,
    webhooks,
)
"""Every module that declares tools, in the order the tool list shows them."""


def build_registry(
    modules: tuple[ModuleType, ...] = TOOL_MODULES, plugins: PluginHost | None = None
) -> Registry:
    """A new registry holding every tool ``modules`` declare, in declaration order, then the
    tools of ``plugins`` (default: the installed ones, found now). A plugin that cannot be
    served (its tool takes a built-in's name, its ``requires_api`` is not met) raises
    ``PluginRefused``: the server does not start with it."""
    registry = Registry(plugins if plugins is not None else PluginHost.discover())
    for module in modules:
        for value in vars(module).values():
            if declaration_of(value) is not None and value.__module__ == module.__name__:
                registry.add(value)
    add_plugin_tools(registry)
    return registry


__all__ = [
    "TOOL_MODULES",
    "Registry",
    "Tool",
    "admin",
    "build_registry",
    "commits",
    "context",
    "failures",
    "files",
    "history",
    "keys",
    "memory",
    "merge",
    "oauth",
    "orgs",
    "plugin_admin",
    "reasoning",
    "repo_settings",
    "repos",
    "sandbox",
    "sync",
    "system",
    "tasks",
    "templates",
    "tokens",
    "tool",
    "undo",
    "upstream",
    "users",
    "webhooks",
]
