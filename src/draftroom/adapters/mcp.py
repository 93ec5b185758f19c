"""The MCP server, generated from the tool registry: one MCP tool per registry tool, no per-tool code.

Each MCP tool is named for its tool's operation id (``git_commit``: many clients accept only
``[A-Za-z0-9_-]`` in tool names), takes the tool's input model as its input schema, and
answers with the output model as JSON (text and structured content). Every call goes through
``Registry.invoke`` with ``transport="mcp"``, so scope checks and audit rows are the HTTP
ones; a ``DraftroomError`` comes back as a tool error (``is_error``) whose text content is
the same ``{"error": {"code", "message", "details"?, "request_id"}}`` JSON as an HTTP error
body, with no structured content (every client accepts that); tool names in messages and
descriptions are shown as MCP tool names (``memory_query``).

Besides tools: prompts (``mcp_prompts``), resources (``mcp_resources``), progress
notifications (``Call.progress``), and toolsets / read-only mode (``tools.toolsets``).
Two transports: streamable HTTP (``mcp_http.McpEndpoint``, mounted at ``/mcp`` by the HTTP
adapter, same API keys and scopes) and stdio (``serve_stdio``, a local process acting as one
fixed principal). This module must never hold tool logic: anything a tool does lives in
``tools/``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError

from draftroom import __version__
from draftroom.adapters.mcp_examples import example_call
from draftroom.adapters.mcp_prompts import prompt_handlers
from draftroom.adapters.mcp_resources import resource_handlers
from draftroom.adapters.mcp_results import (
    error_body,
    errors_as_mcp,
    mcp_error,
    request_id_of,
    tool_name,
    tool_result,
)
from draftroom.domain.calls import Principal, Progress, Services
from draftroom.errors import DraftroomError, InsufficientScope
from draftroom.tools import Registry, Tool
from draftroom.tools.plugin_tools import hidden_tools
from draftroom.tools.toolsets import ALL, Selection
from draftroom.tools.versions import LATEST

SERVER_NAME = "draftroom"
TRANSPORT = "mcp"
INSTRUCTIONS = (
    "draftroom gives you a private sandbox branch of a git repository. Start with sandbox_init "
    "(keep the reuse_token it returns and pass it to every other tool); every write is an "
    "audited commit you can undo with git_rollback_commit; main is never written."
)

PrincipalOf = Callable[[ServerRequestContext[Any, Any]], Principal]
SelectionOf = Callable[[ServerRequestContext[Any, Any]], Selection]


def input_schema(tool: Tool, defaults: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The tool's input model as JSON schema; fields with a server-side default become optional."""
    schema = tool.input_model.model_json_schema()
    if defaults:
        required = [name for name in schema.get("required", []) if name not in defaults]
        if required:
            schema["required"] = required
        else:
            schema.pop("required", None)
    return schema


def output_schema(tool: Tool) -> dict[str, Any]:
    """The output model as JSON schema, with the field names ``model_dump`` produces (as HTTP)."""
    return tool.output_model.model_json_schema(by_alias=False, mode="serialization")


def describe(tool: Tool, schema: Mapping[str, Any]) -> str:
    """Summary, description, a deprecated variant's note, and an example call: agents copy
    the example's shape."""
    example = json.dumps(example_call(schema), ensure_ascii=False)
    note = f" {tool.deprecated.note}" if tool.deprecated is not None else ""
    return f"{tool.summary}. {tool.description}{note}\nExample arguments: {example}"


def mcp_tool(tool: Tool, defaults: Mapping[str, Any] | None = None) -> types.Tool:
    """The listed tool with all five hints.

    Sandbox writes are reversible, so not destructive; only consequential admin actions
    (approving a merge into main, force-pushing over the upstream) are.
    """
    schema = input_schema(tool, defaults)
    return types.Tool(
        name=tool_name(tool),
        title=tool.summary,
        description=describe(tool, schema),
        input_schema=schema,
        output_schema=output_schema(tool),
        annotations=types.ToolAnnotations(
            title=tool.summary,
            read_only_hint=not tool.writes,
            destructive_hint=tool.consequential,
            idempotent_hint=tool.idempotent or not tool.writes,
            open_world_hint=False,
        ),
    )


def build_server(
    services: Services,
    registry: Registry,
    principal_of: PrincipalOf,
    *,
    selection_of: SelectionOf = lambda ctx: ALL,
    defaults: Mapping[str, Any] | None = None,
    instructions: str = INSTRUCTIONS,
    api_version: int = LATEST,
) -> Server[Any]:
    """A low-level MCP server exposing the registry's tools as ``api_version`` serves them.

    ``principal_of`` says who is calling (from the HTTP request, or fixed for stdio);
    ``selection_of`` which toolsets it loaded and whether read-only (the same way);
    ``defaults`` fill input fields a call omits (or sends as null), for the tools that have
    them; local mode uses it for ``repo_name`` and ``reuse_token``.
    """
    handlers = _Handlers(
        services, registry, principal_of, selection_of, dict(defaults or {}), api_version
    )

    def render(text: str) -> str:
        return registry.render(text, tool_name)

    fill = handlers.fill
    list_prompts, get_prompt = prompt_handlers(handlers.run_tool, render, fill)
    list_resources, list_templates, read_resource = resource_handlers(handlers.run_tool, fill)
    return Server(
        SERVER_NAME,
        version=__version__,
        instructions=instructions,
        get_tool_input_schema=handlers.schemas.get,
        on_list_tools=handlers.list_tools,
        on_call_tool=handlers.call_tool,
        on_list_prompts=list_prompts,
        on_get_prompt=errors_as_mcp(get_prompt, registry),
        on_list_resources=errors_as_mcp(list_resources, registry),
        on_list_resource_templates=list_templates,
        on_read_resource=errors_as_mcp(read_resource, registry),
    )


class _Handlers:
    """The tool handlers of one MCP server: every call through ``Registry.invoke``."""

    def __init__(
        self,
        services: Services,
        registry: Registry,
        principal_of: PrincipalOf,
        selection_of: SelectionOf,
        fill: dict[str, Any],
        api_version: int,
    ) -> None:
        self.services, self.registry, self.fill = services, registry, fill
        self.principal_of, self.selection_of = principal_of, selection_of
        self.tools = {tool_name(tool): tool for tool in registry.tools(api_version)}
        self.listed = {
            name: mcp_tool(_rendered(registry, tool), self.defaults_for(tool))
            for name, tool in self.tools.items()
        }
        self.schemas = {name: item.input_schema for name, item in self.listed.items()}

    def defaults_for(self, tool: Tool) -> dict[str, Any]:
        fields = tool.input_model.model_fields
        return {name: value for name, value in self.fill.items() if name in fields}

    async def list_tools(
        self, ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        """The tools this principal may call: as over HTTP, admin tools stay unseen by agents."""
        principal, selection = self.principal_of(ctx), self.selection_of(ctx)
        hidden = hidden_tools(
            self.registry, self.services, principal.org_id
        )  # plugins switched off
        visible = [
            self.listed[name]
            for name, tool in self.tools.items()
            if _may_call(tool, principal)
            and selection.offers(tool.name, tool.writes)
            and tool.name not in hidden
        ]
        return types.ListToolsResult(tools=visible)

    async def invoke(
        self,
        ctx: ServerRequestContext[Any, Any],
        tool: Tool,
        payload: dict[str, Any],
        request_id: str,
        *,
        any_toolset: bool = False,
    ) -> dict[str, Any]:
        """Run ``tool`` through the registry as this request's principal and toolsets
        (``any_toolset``: read-only mode still holds, the toolsets do not)."""
        selection = self.selection_of(ctx)
        if any_toolset:
            selection = replace(selection, toolsets=None)
        run = partial(
            self.registry.invoke,
            tool,
            self.services,
            self.principal_of(ctx),
            payload,
            request_id=request_id,
            transport=TRANSPORT,
            client=_client_address(ctx),
            selection=selection,
            progress=_progress(ctx),
        )
        output = await anyio.to_thread.run_sync(run)
        return output.model_dump(mode="json")

    async def call_tool(
        self, ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        tool = self.tools.get(params.name)
        if tool is None:
            raise MCPError(types.INVALID_PARAMS, f"no tool named {params.name!r}; see tools/list")
        request_id = request_id_of(ctx)
        arguments = {k: v for k, v in (params.arguments or {}).items() if v is not None}
        payload = {**self.defaults_for(tool), **arguments}
        try:
            output = await self.invoke(ctx, tool, payload, request_id)
        except DraftroomError as exc:
            return tool_result(error_body(exc, request_id, self.registry), is_error=True)
        return tool_result(output)

    async def run_tool(
        self, ctx: ServerRequestContext[Any, Any], name: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """A tool call on behalf of a prompt or resource, whatever toolsets are loaded (they
        choose the listed tools); an error as an MCP error."""
        request_id = request_id_of(ctx)
        try:
            tool = self.registry.get(name)
            return await self.invoke(ctx, tool, payload, request_id, any_toolset=True)
        except DraftroomError as exc:
            raise mcp_error(exc, request_id, self.registry) from None


def _progress(ctx: ServerRequestContext[Any, Any]) -> Progress:
    """A ``Call.progress`` sending MCP progress notifications (the SDK sends them only when
    the client gave a progress token).

    It runs in the call's worker thread; a notification that cannot be sent is dropped,
    never failing the call.
    """

    def report(done: float, total: float | None, message: str | None) -> None:
        try:
            anyio.from_thread.run(ctx.session.report_progress, done, total, message)
        except Exception:  # the client went away: the call goes on
            return

    return report


def _rendered(registry: Registry, tool: Tool) -> Tool:
    """``tool`` with the tool names in its description as MCP tool names."""
    return replace(tool, description=registry.render(tool.description, tool_name))


def _may_call(tool: Tool, principal: Principal) -> bool:
    if tool.local_only:  # refused by ``Registry.invoke`` on any transport but the CLI
        return False
    try:
        Registry.authorize(tool.scope, principal, tool.name)
    except InsufficientScope:
        return False
    return True


def _client_address(ctx: ServerRequestContext[Any, Any]) -> str | None:
    """The caller's address over HTTP (lockouts count by it, as for HTTP calls); None on stdio."""
    client = ctx.request.client if ctx.request is not None else None
    return client.host if client is not None else None


def serve_stdio(
    services: Services,
    registry: Registry,
    principal: Principal,
    *,
    selection: Selection = ALL,
    defaults: Mapping[str, Any] | None = None,
    instructions: str = INSTRUCTIONS,
    api_version: int = LATEST,
) -> None:
    """Serve MCP on stdin/stdout until the client closes it, every call as ``principal``,
    offering the tools ``selection`` names as ``api_version`` serves them."""
    server = build_server(
        services,
        registry,
        lambda ctx: principal,
        selection_of=lambda ctx: selection,
        defaults=defaults,
        instructions=instructions,
        api_version=api_version,
    )

    async def run() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    anyio.run(run)
