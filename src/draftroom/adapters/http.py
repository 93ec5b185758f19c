"""The FastAPI app, generated from the tool registry: one route per tool, no logic here.

A tool route hands the raw request (the JSON body, path and query values, the bearer
credential) to ``Registry.invoke``, which authenticates, checks scope and only then decodes
and validates: a caller without the scope learns nothing of the input. The route's typed
signature only publishes the tool's input model in the schema; FastAPI never validates it.

Every error leaves as ``{"error": {"code", "message", "details"?, "request_id"}}`` with a 4xx
status, tool names in messages shown as their HTTP paths. Each tool is served three times:
at its path (API version 1, as before versions), at ``/v1/<path>`` and ``/v2/<path>``
(``tools.versions``); a deprecated variant's answers carry ``Deprecation`` and ``Sunset``.
The GPT schemas (``/v<N>/openapi.json``, ``/openapi.json``) are ``adapters.api_schemas``'.
No ``from __future__ import annotations`` here: FastAPI reads the generated routes' annotations.
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Route

from draftroom import __version__
from draftroom.adapters.api_schemas import add_gpt_schemas
from draftroom.adapters.clients import TrustedProxies
from draftroom.adapters.console import add_console
from draftroom.adapters.limits import BodyLimit
from draftroom.adapters.logs import RequestIds
from draftroom.adapters.mcp_http import McpEndpoint
from draftroom.adapters.oauth_http import add_oauth_routes
from draftroom.adapters.openapi import gpt_schema
from draftroom.adapters.ops_http import add_ops_routes, with_worker_metrics
from draftroom.adapters.routes import Credentials, Serve, add_tool_route, http_name
from draftroom.adapters.webhooks_http import add_webhook_routes
from draftroom.config import Settings
from draftroom.domain.access import Bearer
from draftroom.domain.audit import encode, export_records, reconcile, with_audit_workers
from draftroom.domain.calls import (
    Services,
)
from draftroom.domain.human_changes import record_human_changes
from draftroom.domain.maintenance import with_maintenance_schedule
from draftroom.domain.orgs import prepare_data_dir
from draftroom.domain.signin import bearer_challenge
from draftroom.domain.upstream import with_upstream_worker
from draftroom.errors import (
    DraftroomError,
    InvalidInput,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
)
from draftroom.tools import Registry, Tool, build_registry
from draftroom.tools.audit import ExportOutput
from draftroom.tools.plugin_tools import hidden_tools
from draftroom.tools.validation import RawInput, invalid_request
from draftroom.tools.versions import API_VERSIONS

TRANSPORT = "http"


def create_app(
    settings: Settings, services: Services | None = None, registry: Registry | None = None
) -> FastAPI:
    services = services or Services(settings)
    registry = registry or build_registry()
    services.database.migrate()
    prepare_data_dir(services)  # repositories into DATA_DIR/orgs/SLUG/, per-org credential keys
    reconcile(services)  # audit rows for commits a crash left unrecorded
    mcp = McpEndpoint(services, registry)
    app = FastAPI(
        lifespan=with_worker_metrics(
            with_audit_workers(
                services,
                with_upstream_worker(
                    services,
                    with_maintenance_schedule(services, mcp.lifespan),
                    record_human_changes,
                ),
            )
        ),
        title="draftroom",
        version=__version__,
        description="Private sandbox branches for an AI assistant: every change an audited, undoable commit.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served by ``add_gpt_schemas``, which takes ?toolsets=
    )
    app.state.services = services
    app.state.registry = registry
    for version in (None, *API_VERSIONS):  # unversioned: version 1, as before versions
        for tool in registry.tools(version or 1):
            if not tool.local_only:  # the owner's shell only: no route at all
                serve = _serve(tool, services, registry)
                prefix = f"/v{version}" if version else ""
                add_tool_route(app, tool, registry, serve, prefix=prefix, in_schema=False)
    app.router.routes.append(Route("/mcp", mcp, include_in_schema=False))  # MCP, streamable HTTP
    add_oauth_routes(app, services)  # sign-in: discovery, registration, authorize, token
    add_webhook_routes(app, services)  # signed deliveries from the upstreams' forges
    add_console(app, services, registry)  # the web console at /console
    _add_admin_schema(app, settings, services, registry)
    add_ops_routes(app, services, registry)  # /metrics and /ready, for operators

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    hidden = lambda: hidden_tools(registry, services, None)  # noqa: E731  plugins disabled server-wide
    add_gpt_schemas(app, settings.public_url, registry, hidden)
    _add_error_handlers(app, registry)
    _add_request_ids(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(TrustedProxies, trusted=settings.trusted_proxy_networks)
    return app


def _serve(tool: Tool, services: Services, registry: Registry) -> Serve:
    """The route's handler: the raw request to ``invoke``, its answer or error back; one
    thread-pool hop per call (``invoke`` does blocking database and git work)."""
    deprecation = _deprecation_headers(tool, registry)

    def run(request: Request, payload: RawInput) -> Response:
        request_id = request.state.request_id
        try:
            output = registry.invoke(
                tool,
                services,
                _bearer_of(request),
                payload,
                request_id=request_id,
                transport=TRANSPORT,
                client=request.client.host if request.client else None,
                idempotency_key=request.headers.get("idempotency-key"),
            )
        except DraftroomError as exc:
            challenge = bearer_challenge(services.settings)
            return error_response(_located(tool, exc), request_id, registry, challenge)
        stream = STREAMED.get(tool.name)
        if stream is not None:
            return stream(services, output)
        return JSONResponse(output.model_dump(mode="json"), status_code=tool.status_for(output))

    async def serve(request: Request) -> Response:
        if tool.http_method == "GET":
            payload = RawInput(None, {**request.query_params, **request.path_params})
        else:
            payload = RawInput(await request.body(), dict(request.path_params))
        response = await run_in_threadpool(run, request, payload)
        response.headers.update(deprecation)  # on every answer, refusals too
        return response

    return serve


def _deprecation_headers(tool: Tool, registry: Registry) -> dict[str, str]:
    """A deprecated variant's ``Deprecation`` and ``Sunset``, and a ``Link`` to the path of
    the version replacing it (``rel="successor-version"``, RFC 5829)."""
    if tool.deprecated is None:
        return {}
    headers = tool.deprecated.headers()
    later = [v for v in API_VERSIONS if registry.get(tool.name, v).api_version > tool.api_version]
    if later:
        headers["Link"] = f'</v{later[0]}{tool.path}>; rel="successor-version"'
    return headers


def _audit_file(services: Services, output: BaseModel) -> Response:
    """``admin.audit.export``'s answer: the records it admitted, streamed as a file."""
    assert isinstance(output, ExportOutput)
    records = export_records(services, output.org_id, output.since, output.until)
    media = "application/x-ndjson" if output.format == "jsonl" else "text/csv; charset=utf-8"
    headers = {
        "Content-Disposition": f'attachment; filename="audit.{output.format}"',
        "Cache-Control": "no-store",
    }
    return StreamingResponse(encode(records, output.format), media_type=media, headers=headers)


STREAMED: dict[str, Callable[[Services, BaseModel], Response]] = {"admin.audit.export": _audit_file}
"""Tools whose answer is a file streamed from what they admitted, not a JSON body."""


def _bearer_of(request: Request) -> Bearer:
    return Bearer.from_header(request.headers.get("authorization"))


def _located(tool: Tool, exc: DraftroomError) -> DraftroomError:
    """A validation error as HTTP names it: each ``loc`` starts with where the field was
    sent (``body``, ``path``, ``query``), and the message names the first field."""
    errors = exc.details.get("errors") if isinstance(exc, InvalidRequest) else None
    if not isinstance(errors, list):
        return exc

    def source(loc: list[Any]) -> str:
        if loc and loc[0] in tool.path_params:
            return "path"
        return "query" if tool.http_method == "GET" else "body"

    located = [{**e, "loc": [source(e["loc"]), *e["loc"]]} for e in errors]
    shown = [{**e, "loc": [p for p in e["loc"] if p != "body"]} for e in located]
    named = invalid_request(shown, root="body")
    return InvalidRequest(named.message, errors=located)


def _add_admin_schema(
    app: FastAPI, settings: Settings, services: Services, registry: Registry
) -> None:
    """``GET /admin/openapi.json``: the admin tools' own schema, for admin keys only."""
    admin = FastAPI(title="draftroom admin", version=__version__, description="Admin tools.")
    for tool in registry:
        if tool.scope != "sandbox" and not tool.local_only:
            add_tool_route(admin, tool, registry, in_schema=True)

    @app.get("/admin/openapi.json", include_in_schema=False)
    def admin_openapi(request: Request, credentials: Credentials) -> dict[str, Any]:
        registry.admit(
            services,
            _bearer_of(request),
            name="/admin/openapi.json",
            scope="admin",
            request_id=request.state.request_id,
            transport=TRANSPORT,
            client=request.client.host if request.client else None,
        )
        return gpt_schema(admin, settings.public_url)


def error_response(
    exc: DraftroomError, request_id: str | None, registry: Registry, challenge: str | None = None
) -> JSONResponse:
    """The error body, tool names in its message shown as HTTP paths; a 401 carries
    ``challenge`` (where to learn how to sign in) as ``WWW-Authenticate``."""
    error = {**exc.to_dict(), "request_id": request_id}
    error["message"] = registry.render(exc.message, http_name)
    headers = {}
    if exc.status == 401 and challenge:
        headers["WWW-Authenticate"] = challenge
    if isinstance(exc, RateLimited) and "retry_after" in exc.details:
        headers["Retry-After"] = str(exc.details["retry_after"])
    if isinstance(exc, MethodNotAllowed):
        headers["Allow"] = exc.details["allow"]
    return JSONResponse({"error": error}, status_code=exc.status, headers=headers)


def _add_error_handlers(app: FastAPI, registry: Registry) -> None:
    """Render errors raised outside any tool call (unknown route, wrong method, the admin
    schema's refusal): tool calls answer their own errors, reported once by the registry."""

    def request_id(request: Request) -> str | None:
        return getattr(request.state, "request_id", None)

    @app.exception_handler(DraftroomError)
    async def draftroom_error(request: Request, exc: DraftroomError) -> JSONResponse:
        challenge = bearer_challenge(request.app.state.services.settings)
        return error_response(exc, request_id(request), registry, challenge)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(_http_error(request, exc), request_id(request), registry)


def _http_error(request: Request, exc: StarletteHTTPException) -> DraftroomError:
    """Starlette's routing errors as classes of the hierarchy."""
    route = f"{request.method} {request.url.path}"
    if exc.status_code == 404:
        return NotFound(f"no route {route}; the tools are listed in /openapi.json")
    if exc.status_code == 405:
        allow = (exc.headers or {}).get("Allow", "")
        return MethodNotAllowed(f"{route} is not allowed; use {allow}", allow=allow)
    if exc.status_code == 413:
        return PayloadTooLarge(str(exc.detail))
    return InvalidInput(str(exc.detail))


def _add_request_ids(app: FastAPI) -> None:
    app.add_middleware(RequestIds)


def app_from_env(registry: Registry | None = None) -> FastAPI:
    """App factory for ``uvicorn --factory`` and multi-worker serving: settings from the
    environment; ``registry``: one ``serve`` already built in this process (else built here)."""
    return create_app(Settings(), registry=registry)
