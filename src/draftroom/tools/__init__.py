"""The tool registry, with every tool module imported so its tools are declared."""

from draftroom.tools import (
    admin,
    commits,
    context,
    failures,
    files,
    history,
    memory,
    merge,
    reasoning,
    sandbox,
    sync,
    system,
    tasks,
    tokens,
    undo,
    upstream,
)
from draftroom.tools.registry import Registry, Tool, registry

__all__ = [
    "Registry",
    "Tool",
    "admin",
    "commits",
    "context",
    "failures",
    "files",
    "history",
    "memory",
    "merge",
    "reasoning",
    "registry",
    "sandbox",
    "sync",
    "system",
    "tasks",
    "tokens",
    "undo",
    "upstream",
]
