"""What the domain asks of installed plugins, as a protocol: the hooks it calls on its own
paths (before and after a commit, on a merge request).

``draftroom.plugins.PluginHost`` implements it and ``Registry.invoke`` hands it to each
``Call``; the domain never imports the plugins package. ``NO_PLUGINS`` answers nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from draftroom.domain.calls.call import Call


class PluginHooks(Protocol):
    def before_commit(
        self, call: Call, access: Any, changes: Sequence[tuple[str, bytes | None]]
    ) -> None:
        """Raise ``CommitRefused`` when a plugin refuses ``changes`` ((path, data or None
        for a deletion)) on ``access``'s branch; nothing has been written yet."""

    def after_commit(self, call: Call, access: Any, sha: str, files: Sequence[str]) -> None:
        """Tell plugins a commit landed on ``access``'s branch."""

    def on_merge_request(self, call: Call, access: Any, request: Mapping[str, Any]) -> None:
        """Tell plugins a merge request was opened."""


class NoPlugins:
    """The hooks when no plugin is installed (or the registry was built without them)."""

    def before_commit(
        self, call: Call, access: Any, changes: Sequence[tuple[str, bytes | None]]
    ) -> None:
        return None

    def after_commit(self, call: Call, access: Any, sha: str, files: Sequence[str]) -> None:
        return None

    def on_merge_request(self, call: Call, access: Any, request: Mapping[str, Any]) -> None:
        return None


NO_PLUGINS: PluginHooks = NoPlugins()
