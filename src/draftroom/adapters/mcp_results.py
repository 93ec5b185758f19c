"""What an MCP request answers: a tool's result, or an error in the HTTP error body's shape.

A tool error is a result (``is_error``) the model reads; a refused prompt or resource
request is a JSON-RPC error carrying the same body as its data.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.shared.exceptions import MCPError

from draftroom.errors import DraftroomError, NotFound
from draftroom.tools import Registry, Tool

RESOURCE_NOT_FOUND = -32002
"""The JSON-RPC error code MCP gives a resource that does not exist."""


def tool_name(tool: Tool) -> str:
    """The MCP name of a registry tool: its operation id (``git.commit`` -> ``git_commit``)."""
    return tool.operation_id


def error_body(
    exc: DraftroomError, request_id: str | None, registry: Registry | None = None
) -> dict[str, Any]:
    """The JSON an HTTP error response carries, for the same error; with ``registry``, tool
    names in the message are shown as MCP tool names."""
    error = {**exc.to_dict(), "request_id": request_id}
    if registry is not None:
        error["message"] = registry.render(exc.message, tool_name)
    return {"error": error}


def tool_result(output: dict[str, Any], *, is_error: bool = False) -> types.CallToolResult:
    """The output as text, and as structured content unless it is an error body.

    An error's structured content would contradict the tool's ``outputSchema``: the
    TypeScript SDK client then throws (-32602) instead of showing the model the error.
    """
    return types.CallToolResult(
        content=[types.TextContent(text=json.dumps(output, ensure_ascii=False))],
        structured_content=None if is_error else output,
        is_error=is_error,
    )


def mcp_error(exc: DraftroomError, request_id: str | None, registry: Registry) -> MCPError:
    """A refused prompt or resource request: the error body as the JSON-RPC error's data."""
    body = error_body(exc, request_id, registry)
    code = RESOURCE_NOT_FOUND if isinstance(exc, NotFound) else types.INVALID_PARAMS
    return MCPError(code, f"{exc.code}: {body['error']['message']}", data=body)


def errors_as_mcp(handler: Any, registry: Registry) -> Any:
    """``handler`` with a ``DraftroomError`` it raises itself answered as an MCP error."""

    async def handle(ctx: ServerRequestContext[Any, Any], params: Any) -> Any:
        try:
            return await handler(ctx, params)
        except DraftroomError as exc:
            raise mcp_error(exc, request_id_of(ctx), registry) from None

    return handle


def request_id_of(ctx: ServerRequestContext[Any, Any]) -> str:
    """The HTTP request's id (as in ``X-Request-Id``) when there is one, else a new one."""
    state = ctx.request.scope.get("state", {}) if ctx.request is not None else {}
    request_id = state.get("request_id") if isinstance(state, dict) else None
    return request_id if isinstance(request_id, str) else uuid.uuid4().hex
