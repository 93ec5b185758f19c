"""Plugin tools for the data dir's operator: list the installed plugins, and enable or
disable one for every org or for one (``draftroom plugin list|enable|disable``).

``local_only`` (the server's own command line) and for the operator only
(``domain.orgs.require_operator``): installed code is the server's business. The settings
live in ``store.plugins``; a disabled plugin's tools are not listed for that org and calling
them answers 404, and its hooks do not run there.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from draftroom import store
from draftroom.domain.calls import Call
from draftroom.domain.orgs import require_operator
from draftroom.errors import NotFound
from draftroom.plugins import Plugin, PluginHost
from draftroom.tools.declaration import tool

ORG_FIELD = Field(
    None, min_length=1, max_length=200, description="An org's slug; omit for every org."
)


class PluginOut(BaseModel):
    name: str = Field(description="Its entry point's name: what enable and disable take.")
    package: str | None
    version: str | None
    requires_api: str
    tools: list[str]
    enabled: bool = Field(description="For the org asked about (or server-wide).")


class ListInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org: str | None = ORG_FIELD


class ListOutput(BaseModel):
    org: str | None
    plugins: list[PluginOut]


def _host(call: Call) -> PluginHost:
    return call.plugins if isinstance(call.plugins, PluginHost) else PluginHost()


def _org_id(call: Call, slug: str | None) -> int | None:
    if slug is None:
        return None
    org = store.get_org(call.session, slug)
    if org is None:
        raise NotFound(f"no org {slug!r}; see draftroom org list")
    return org.id


def _out(plugin: Plugin, enabled: bool) -> PluginOut:
    return PluginOut(
        name=plugin.name,
        package=plugin.package,
        version=plugin.version,
        requires_api=plugin.requires_api,
        tools=[t.name for t in plugin.tools],
        enabled=enabled,
    )


@tool(
    "admin.plugins.list",
    summary="List plugins",
    description="The installed plugins: package, version, requires_api, tools, and whether enabled.",
    scope="admin",
    http_method="GET",
    http_path="/admin/plugins",
    local_only=True,
)
def list_plugins(call: Call, sandbox: None, body: ListInput) -> ListOutput:
    require_operator(call)
    settings = store.plugin_settings(call.session, _org_id(call, body.org))
    found = [_out(p, settings.get(p.name, True)) for p in _host(call).plugins]
    return ListOutput(org=body.org, plugins=found)


class SwitchInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=200, description="The plugin's name.")
    org: str | None = ORG_FIELD


def _switch(call: Call, body: SwitchInput, enabled: bool) -> PluginOut:
    require_operator(call)
    plugin = _host(call).get(body.name)
    if plugin is None:
        installed = ", ".join(p.name for p in _host(call).plugins) or "none"
        raise NotFound(f"no installed plugin {body.name!r} (installed: {installed})")
    store.set_plugin_enabled(call.session, plugin.name, _org_id(call, body.org), enabled)
    call.audit.detail.update(plugin=plugin.name, org=body.org, enabled=enabled)
    return _out(plugin, enabled)


@tool(
    "admin.plugins.enable",
    summary="Enable a plugin",
    description="Enables an installed plugin for one org, or for every org without its own setting.",
    scope="admin",
    writes=True,
    http_path="/admin/plugins/enable",
    local_only=True,
)
def enable(call: Call, sandbox: None, body: SwitchInput) -> PluginOut:
    return _switch(call, body, True)


@tool(
    "admin.plugins.disable",
    summary="Disable a plugin",
    description="Disables an installed plugin for one org, or for every org without its own setting: its tools are not listed (calls: 404) and its hooks do not run.",
    scope="admin",
    writes=True,
    http_path="/admin/plugins/disable",
    local_only=True,
)
def disable(call: Call, sandbox: None, body: SwitchInput) -> PluginOut:
    return _switch(call, body, False)
