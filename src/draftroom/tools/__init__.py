"""The tools, one module per group, and ``build_registry``, which collects them at start.

No registry exists at import time: ``create_app``, the MCP server and the CLI each build
one, so two registries never share state.
"""

from types import ModuleType

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
from draftroom.tools.registry import Registry, Tool, declaration_of, tool

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


def build_registry(modules: tuple[ModuleType, ...] = TOOL_MODULES) -> Registry:
    """A new registry holding every tool ``modules`` declare, in declaration order."""
    registry = Registry()
    for module in modules:
        for value in vars(module).values():
            if declaration_of(value) is not None and value.__module__ == module.__name__:
                registry.add(value)
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
