"""The plugin API: what an installed plugin imports (``tool``, ``hookimpl``), and the
``PluginHost`` a registry is built with.

A plugin's module::

    from pydantic import BaseModel
    from draftroom.plugins import tool, hookimpl

    requires_api = ">=1,<3"

    class In(BaseModel): path: str
    class Out(BaseModel): words: int

    @tool("wordcount.count", summary="Count words", description="Words in a file.")
    def count(ctx, body: In) -> Out:
        return Out(words=len(ctx.read(body.path).split()))

The hooks' reference is ``hookspecs`` (and docs/plugins.md).
"""

from draftroom.plugins.api import FileChange, PluginTool, hookimpl, tool
from draftroom.plugins.context import PluginContext
from draftroom.plugins.host import ENTRY_POINT_GROUP, Plugin, PluginHost, discover, load_plugin
from draftroom.plugins.versions import SUPPORTED_API_VERSIONS, PluginRefused, accepted_versions

__all__ = [
    "ENTRY_POINT_GROUP",
    "SUPPORTED_API_VERSIONS",
    "FileChange",
    "Plugin",
    "PluginContext",
    "PluginHost",
    "PluginRefused",
    "PluginTool",
    "accepted_versions",
    "discover",
    "hookimpl",
    "load_plugin",
    "tool",
]
