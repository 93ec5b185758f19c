"""Plugin tools as registry tools: each plugin's ``@tool`` function becomes a ``Tool`` whose
input adds the sandbox fields (``repo_name``, ``branch``, ``reuse_token``), so the registry
opens the sandbox, checks, audits and reports it like a built-in one.

The handler refuses a plugin disabled for the caller's org (404, as if not installed), hands
the plugin a ``PluginContext``, and turns anything the plugin raises that is not one of
draftroom's errors into 500 ``plugin_error`` (logged under the request id).
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ValidationError, create_model

from draftroom.domain.access import SandboxAccess
from draftroom.domain.calls import Call, Services
from draftroom.errors import DraftroomError, NotFound, PluginError
from draftroom.plugins import Plugin, PluginContext, PluginHost, PluginRefused, PluginTool
from draftroom.tools.idempotency import with_idempotency_key
from draftroom.tools.inputs import SandboxInput
from draftroom.tools.registry import Registry, Tool

PLUGINS_TOOLSET = "plugins"
MAX_PLUGIN_TOOLS = 30
"""A GPT imports at most 30 operations: the ``plugins`` toolset alone must fit."""
logger = logging.getLogger("draftroom.errors")


def add_plugin_tools(registry: Registry) -> None:
    """Add the tools of ``registry.plugins`` (enabled or not: that is per call, per org).

    One that takes another tool's name or path (a built-in's, another plugin's) is refused,
    naming both.
    """
    host = registry.plugins
    count = sum(len(p.tools) for p in host.plugins)
    if count > MAX_PLUGIN_TOOLS:
        raise PluginRefused(
            f"the installed plugins declare {count} tools, more than the {MAX_PLUGIN_TOOLS} "
            "a GPT schema holds; uninstall some of them"
        )
    for plugin in host.plugins:
        for declared in plugin.tools:
            made = _tool(host, plugin, declared)
            taken = next((t for t in registry if made.path == t.path), None)
            if taken is not None:
                owner = f"plugin {taken.plugin!r}" if taken.plugin else "a built-in tool"
                raise PluginRefused(
                    f"plugin {plugin.name!r} declares the tool {made.name!r} ({made.path}), "
                    f"but {taken.name!r} ({taken.path}) is {owner}; rename the plugin's tool "
                    "or uninstall the plugin"
                )
            registry.add_built(made)


def hidden_tools(registry: Registry, services: Services, org_id: int | None) -> frozenset[str]:
    """Names of the tools of plugins disabled for ``org_id`` (None: server-wide): not listed."""
    if not any(t.plugin for t in registry):
        return frozenset()
    with services.database.session() as session:
        off = registry.plugins.disabled(session, org_id)
    return frozenset(t.name for t in registry if t.plugin in off)


def _tool(host: PluginHost, plugin: Plugin, declared: PluginTool) -> Tool:
    shared = set(declared.input_model.model_fields) & set(SandboxInput.model_fields)
    if shared:
        raise PluginRefused(
            f"plugin {plugin.name!r}: tool {declared.name!r} declares input fields "
            f"{sorted(shared)}, which draftroom adds itself; rename them"
        )
    fields: dict[str, Any] = {
        name: (field.annotation, field) for name, field in declared.input_model.model_fields.items()
    }
    model_name = declared.name.replace(".", "_").title().replace("_", "") + "Input"
    built: type[BaseModel] = create_model(model_name, __base__=SandboxInput, **fields)
    input_model = with_idempotency_key(built) if declared.writes else built
    return Tool(
        name=declared.name,
        summary=declared.summary,
        description=declared.description,
        input_model=input_model,
        output_model=declared.output_model,
        handler=_handler(host, plugin, declared),
        writes=declared.writes,
        opens_sandbox=True,
        toolset=PLUGINS_TOOLSET,
        plugin=plugin.name,
    )


def _handler(host: PluginHost, plugin: Plugin, declared: PluginTool) -> Any:
    def handle(call: Call, sandbox: SandboxAccess, body: BaseModel) -> BaseModel:
        if plugin.name in host.disabled(call.session, call.principal.org_id):
            raise NotFound(f"no tool named {declared.name!r}; see the tool list")
        own = body.model_dump(include=set(declared.input_model.model_fields))
        try:
            output = declared.function(PluginContext(call, sandbox), declared.input_model(**own))
            return declared.output_model.model_validate(output)
        except DraftroomError:
            raise
        except (Exception, ValidationError) as exc:
            logger.exception(
                "plugin %s failed in %s (request %s)", plugin.name, declared.name, call.request_id
            )
            raise PluginError(
                f"plugin {plugin.name!r} failed in {declared.name} (request {call.request_id})",
                plugin=plugin.name,
            ) from exc

    return handle
