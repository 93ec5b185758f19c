"""``PluginHost``: the installed plugins, found through their entry points when a registry is
built (never at import time), checked, and called on draftroom's own paths.

A plugin is refused at start (``PluginRefused``, naming it) when it cannot be imported, does
not declare a ``requires_api`` this server meets, or implements a hook that does not exist.
A hook that decides (``before_commit``) and raises fails that call with 500 ``plugin_error``;
a hook that is told (``after_commit``, ``on_merge_request``, ``on_tool_error``) and raises
is logged under the request id and changes nothing: what it was told about has happened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from draftroom import store
from draftroom.domain.calls import Call
from draftroom.errors import CommitRefused, DraftroomError, PluginError
from draftroom.plugins import hookspecs
from draftroom.plugins.api import PROJECT, FileChange, PluginTool, declared_tool
from draftroom.plugins.context import PluginContext
from draftroom.plugins.versions import PluginRefused, check_requires_api

ENTRY_POINT_GROUP = "draftroom.plugins"
logger = logging.getLogger("draftroom.errors")
Impl = tuple[str, Callable[..., Any], list[str]]
"""A hook's implementation: its plugin's name, its function, the arguments it takes."""


@dataclass(frozen=True)
class Plugin:
    name: str
    """Its entry point's name: what ``draftroom plugin enable|disable NAME`` takes."""
    module: ModuleType
    package: str | None
    version: str | None
    requires_api: str
    tools: tuple[PluginTool, ...]


def load_plugin(
    name: str, module: ModuleType, package: str | None = None, version: str | None = None
) -> Plugin:
    """Check ``module`` as the plugin ``name``: its ``requires_api`` and its declared tools."""
    requires = getattr(module, "requires_api", None)
    if not isinstance(requires, str):
        raise PluginRefused(
            f"plugin {name!r} ({module.__name__}) declares no requires_api; add e.g. "
            'requires_api = ">=1,<3" to the module'
        )
    check_requires_api(name, requires)
    found = (declared_tool(value) for value in vars(module).values())
    tools = tuple(t for t in found if t is not None)
    return Plugin(name, module, package, version, requires, tools)


def discover() -> list[Plugin]:
    """Every installed plugin (entry points in ``draftroom.plugins``), by name."""
    plugins = []
    for point in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        dist = point.dist
        try:
            module = point.load()
        except Exception as exc:
            raise PluginRefused(
                f"plugin {point.name!r} ({point.value}) cannot be imported: {exc}"
            ) from exc
        if not isinstance(module, ModuleType):
            raise PluginRefused(
                f"plugin {point.name!r}: its entry point {point.value!r} must name a module"
            )
        plugins.append(
            load_plugin(
                point.name, module, dist.name if dist else None, dist.version if dist else None
            )
        )
    return plugins


class PluginHost:
    """The plugins one registry serves, and the hooks draftroom calls on them."""

    def __init__(self, plugins: Sequence[Plugin] = ()) -> None:
        self.plugins = tuple(plugins)
        self._manager = pluggy.PluginManager(PROJECT)
        self._manager.add_hookspecs(hookspecs)
        for plugin in self.plugins:
            try:
                self._manager.register(plugin.module, name=plugin.name)
            except ValueError as exc:
                raise PluginRefused(f"plugin {plugin.name!r}: {exc}") from exc
        try:
            self._manager.check_pending()
        except pluggy.PluginValidationError as exc:
            name = self._manager.get_name(exc.plugin)
            raise PluginRefused(f"plugin {name!r}: {exc}") from exc

    @classmethod
    def discover(cls) -> PluginHost:
        return cls(discover())

    def get(self, name: str) -> Plugin | None:
        return next((p for p in self.plugins if p.name == name), None)

    def template_dirs(self) -> list[Path]:
        """The template directories every plugin registers (``register_templates``), in
        plugin order; for the templates feature to search after its own."""
        dirs: list[Path] = []
        for _, function, _ in self._impls("register_templates", frozenset()):
            dirs += [Path(d) for d in function() or ()]
        return dirs

    def disabled(self, session: Any, org_id: int | None) -> frozenset[str]:
        """Names of the plugins disabled for ``org_id`` (None: for every org)."""
        if not self.plugins:
            return frozenset()
        return frozenset(store.disabled_plugins(session, org_id))

    def before_commit(
        self, call: Call, access: Any, changes: Sequence[tuple[str, bytes | None]]
    ) -> None:
        impls = list(self._call_impls("before_commit", call))
        if not impls:
            return
        ctx = PluginContext(call, access)
        shown = [FileChange(path, data) for path, data in changes]
        args = {"ctx": ctx, "changes": shown}
        for name, function, argnames in impls:
            values = [args[a] for a in argnames]
            reason = self._decide(call, name, "before_commit", function, values)
            if reason is not None:
                call.audit.detail["refused_by"] = name
                raise CommitRefused(
                    f"plugin {name!r} refused the commit: {reason}", plugin=name, reason=str(reason)
                )

    def after_commit(self, call: Call, access: Any, sha: str, files: Sequence[str]) -> None:
        self._tell(
            call,
            "after_commit",
            {"ctx": lambda: PluginContext(call, access), "sha": sha, "files": list(files)},
        )

    def on_merge_request(self, call: Call, access: Any, request: Mapping[str, Any]) -> None:
        self._tell(
            call,
            "on_merge_request",
            {"ctx": lambda: PluginContext(call, access), "merge_request": dict(request)},
        )

    def on_tool_error(self, call: Call, error: DraftroomError) -> None:
        """Called after the call's session ended: reads the settings in a session of its own."""
        if not self.plugins:
            return
        with call.services.database.session() as session:
            off = self.disabled(session, call.principal.org_id)
        facts = {
            "tool": call.tool,
            "code": error.code,
            "message": error.message,
            "request_id": call.request_id,
        }
        self._tell(call, "on_tool_error", facts, self._impls("on_tool_error", off))

    def _decide(
        self, call: Call, name: str, hook: str, function: Callable[..., Any], values: list[Any]
    ) -> Any:
        try:
            return function(*values)
        except DraftroomError:
            raise
        except Exception as exc:
            logger.exception("plugin %s failed in %s (request %s)", name, hook, call.request_id)
            raise PluginError(
                f"plugin {name!r} failed in {hook}; nothing was written (request {call.request_id})",
                plugin=name,
            ) from exc

    def _tell(
        self, call: Call, hook: str, args: Mapping[str, Any], impls: Iterator[Impl] | None = None
    ) -> None:
        for name, function, argnames in impls or self._call_impls(hook, call):
            try:
                function(*[_value(args[a]) for a in argnames])
            except Exception:
                logger.exception("plugin %s failed in %s (request %s)", name, hook, call.request_id)

    def _call_impls(self, hook: str, call: Call) -> Iterator[Impl]:
        if not self.plugins:
            return iter(())
        off = self.disabled(call.session, call.principal.org_id)
        return self._impls(hook, off)

    def _impls(self, hook: str, off: frozenset[str]) -> Iterator[Impl]:
        """(plugin, function, argument names) of the enabled implementations, in plugin order."""
        caller = getattr(self._manager.hook, hook)
        by_name = {impl.plugin_name: impl for impl in caller.get_hookimpls()}
        for plugin in self.plugins:
            impl = by_name.get(plugin.name)
            if impl is not None and plugin.name not in off:
                yield plugin.name, impl.function, list(impl.argnames)


def _value(arg: Any) -> Any:
    """An argument built only when a hook takes it (``ctx`` for a sandbox)."""
    return arg() if callable(arg) else arg
