"""The streamable-HTTP MCP endpoint (``/mcp``): admits the caller, reads the toolsets and the
API version (``?api=v1``; default the newest), then hands the request to the SDK's session
manager for that version's server (``adapters.mcp`` builds one per version)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial
from typing import Any

import anyio
import anyio.to_thread
from mcp.server.context import ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.datastructures import Headers, QueryParams
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send

from draftroom.adapters.mcp import TRANSPORT, build_server
from draftroom.adapters.mcp_results import error_body
from draftroom.config import Settings
from draftroom.domain.access import MISSING_KEY, Bearer
from draftroom.domain.calls import Principal, Services
from draftroom.domain.signin import bearer_challenge
from draftroom.errors import DraftroomError, Unauthorized
from draftroom.tools import Registry
from draftroom.tools.toolsets import ALL, Selection, parse_flag
from draftroom.tools.versions import API_VERSIONS, LATEST, parse_api

PRINCIPAL_KEY = "draftroom.principal"
"""ASGI scope key under which ``McpEndpoint`` leaves the authenticated ``Principal``."""
SELECTION_KEY = "draftroom.selection"
"""ASGI scope key under which ``McpEndpoint`` leaves the request's toolsets ``Selection``."""


def selection_from_request(ctx: ServerRequestContext[Any, Any]) -> Selection:
    """The toolsets ``McpEndpoint`` read from this HTTP request's query (or the settings)."""
    selection = ctx.request.scope.get(SELECTION_KEY) if ctx.request is not None else None
    return selection if isinstance(selection, Selection) else ALL


def request_selection(scope: Scope, settings: Settings) -> Selection:
    """``?toolsets=core,workspace&read_only=1``, each defaulting to its setting
    (``DRAFTROOM_MCP_TOOLSETS``, ``DRAFTROOM_MCP_READ_ONLY``); unknown names are a 400."""
    query = QueryParams(scope.get("query_string", b"").decode("latin-1"))
    toolsets = query.get("toolsets", settings.mcp_toolsets)
    read_only = query.get("read_only")
    return Selection.parse(
        toolsets, settings.mcp_read_only if read_only is None else parse_flag(read_only)
    )


def principal_from_request(ctx: ServerRequestContext[Any, Any]) -> Principal:
    """The principal ``McpEndpoint`` authenticated for this HTTP request."""
    principal = ctx.request.scope.get(PRINCIPAL_KEY) if ctx.request is not None else None
    if not isinstance(principal, Principal):
        raise Unauthorized(MISSING_KEY)
    return principal


class McpEndpoint:
    """The streamable-HTTP MCP endpoint: an ASGI app that admits the caller, then serves MCP.

    Stateless (no MCP session kept between HTTP requests), so it works unchanged behind
    several worker processes. Each request must carry ``Authorization: Bearer <api key>``;
    without a valid key it is answered 401 with the HTTP adapter's error body, before any
    MCP handling (``Registry.admit`` authenticates, audits and reports the refusal). Tool
    calls then run as the admitted principal, so the key is checked once per request.
    DNS-rebinding checks are off: a browser tricked into calling us still has no API key.
    """

    NAME = "/mcp"
    """What the audit row of a refused request names (it is not a tool call)."""

    def __init__(self, services: Services, registry: Registry) -> None:
        self.services = services
        self.registry = registry
        self.servers = {
            version: build_server(
                services,
                registry,
                principal_from_request,
                selection_of=selection_from_request,
                api_version=version,
            )
            for version in API_VERSIONS
        }
        self._managers: dict[tuple[int, bool], StreamableHTTPSessionManager] = {}

    @asynccontextmanager
    async def lifespan(self, app: object) -> AsyncIterator[None]:
        """Run the SDK's session managers for the app's lifetime (fresh ones per startup):
        one answering plain JSON, one streaming (SSE) for requests that want progress."""
        async with AsyncExitStack() as stack:
            for version, server in self.servers.items():
                for streams in (False, True):
                    manager = StreamableHTTPSessionManager(
                        server, stateless=True, json_response=not streams
                    )
                    await stack.enter_async_context(manager.run())
                    self._managers[(version, streams)] = manager
            try:
                yield
            finally:
                self._managers = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.get("state") or {}
        request_id = state.get("request_id") if isinstance(state, dict) else None
        client = scope.get("client")  # (host, port), or None
        try:
            if not self._managers:
                raise DraftroomError("the MCP endpoint is not running; start the app's lifespan")
            selection = request_selection(scope, self.services.settings)
            query = QueryParams(scope.get("query_string", b"").decode("latin-1"))
            version = parse_api(query["api"]) if "api" in query else LATEST
            admit = partial(
                self.registry.admit,
                self.services,
                Bearer.from_header(Headers(scope=scope).get("authorization")),
                name=self.NAME,
                request_id=request_id or uuid.uuid4().hex,
                transport=TRANSPORT,
                client=client[0] if client else None,
            )
            principal = await anyio.to_thread.run_sync(admit)
        except DraftroomError as exc:
            challenge = bearer_challenge(self.services.settings)
            headers = {"WWW-Authenticate": challenge} if isinstance(exc, Unauthorized) else None
            body = error_body(exc, request_id, self.registry)
            response = JSONResponse(body, exc.status, headers=headers)
            await response(scope, receive, send)
            return
        scope[PRINCIPAL_KEY] = principal
        scope[SELECTION_KEY] = selection
        request, replay = await _buffered(receive)
        manager = self._managers[(version, _wants_progress(request))]
        await manager.handle_request(scope, replay, send)


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The request body (the body limit bounds it), and a ``receive`` that replays it."""
    chunks, more = [], True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return b"", _replay([message], receive)
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body = b"".join(chunks)
    return body, _replay([{"type": "http.request", "body": body, "more_body": False}], receive)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay


def _wants_progress(body: bytes) -> bool:
    """Whether a JSON-RPC request (or batch) asks for progress: only then is the answer
    streamed, so notifications can go ahead of it; every other answer stays plain JSON."""
    if b"progressToken" not in body:
        return False
    try:
        parsed = json.loads(body)
    except ValueError:
        return False
    requests = parsed if isinstance(parsed, list) else [parsed]
    return any(
        isinstance(r, dict)
        and isinstance(r.get("params"), dict)
        and isinstance(r["params"].get("_meta"), dict)
        and "progressToken" in r["params"]["_meta"]
        for r in requests
    )
