"""The tool registry, with every tool module imported so its tools are declared."""

from draftroom.tools import commits, files, history, sandbox, system
from draftroom.tools.registry import Registry, Tool, registry

__all__ = ["Registry", "Tool", "commits", "files", "history", "registry", "sandbox", "system"]
