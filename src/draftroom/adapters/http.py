"""The FastAPI app, generated from the tool registry: one route per tool, no logic here.

A tool route hands the raw request (the JSON body, path and query values, the bearer
credential) to ``Registry.invoke``, which authenticates, checks scope and only then decodes
and validates: a caller without the scope learns nothing of the input. The route's typed
signature only publishes the tool's input model in the schema; FastAPI never validates it.

Every error leaves as ``{"error": {"code", "message", "details"?, "request_id"}}`` with a 4xx
status, tool names in messages shown as their HTTP paths; ``/openapi.json`` is the schema a
Custom GPT imports (see ``adapters.openapi``).
No ``from __future__ import annotations`` here: FastAPI reads the generated routes' annotations.
"""

import inspect
import uuid
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, create_model
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from draftroom import __version__
from draftroom.adapters.clients import TrustedProxies
from draftroom.adapters.console import add_console
from draftroom.adapters.limits import BodyLimit
from draftroom.adapters.mcp_http import McpEndpoint
from draftroom.adapters.oauth_http import add_oauth_routes
from draftroom.adapters.openapi import ERROR_RESPONSES, gpt_schema
from draftroom.adapters.webhooks_http import add_webhook_routes
from draftroom.config import Settings
from draftroom.domain.access import Bearer
from draftroom.domain.audit import encode, export_records, reconcile, with_audit_workers
from draftroom.domain.calls import (
    Services,
)
from draftroom.domain.human_changes import record_human_changes
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
from draftroom.tools.toolsets import ALL, Selection, parse_flag
from draftroom.tools.validation import RawInput, invalid_request

TRANSPORT = "http"
_bearer = HTTPBearer(auto_error=False, description="Your draftroom API key.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
"""Publishes bearer auth in the schema; the credential itself is read by ``_bearer_of``."""


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
        lifespan=with_audit_workers(
            services, with_upstream_worker(services, mcp.lifespan, record_human_changes)
        ),
        title="draftroom",
        version=__version__,
        description="Private sandbox branches for an AI assistant: every change an audited, undoable commit.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served by ``_add_gpt_schema``, which takes ?toolsets=
    )
    app.state.services = services
    app.state.registry = registry
    for tool in registry:
        if not tool.local_only:  # the owner's shell only: no route at all
            _add_route(app, tool, services, registry)
    app.router.routes.append(Route("/mcp", mcp, include_in_schema=False))  # MCP, streamable HTTP
    add_oauth_routes(app, services)  # sign-in: discovery, registration, authorize, token
    add_webhook_routes(app, services)  # signed deliveries from the upstreams' forges
    add_console(app, services, registry)  # the web console at /console
    _add_admin_schema(app, settings, services, registry)

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.openapi = lambda: gpt_schema(app, settings)  # type: ignore[method-assign]
    _add_gpt_schema(app, settings, services, registry)
    _add_error_handlers(app, registry)
    _add_request_ids(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(TrustedProxies, trusted=settings.trusted_proxy_networks)
    return app


def _add_route(
    app: FastAPI,
    tool: Tool,
    services: Services,
    registry: Registry,
    *,
    in_schema: bool | None = None,
) -> None:
    serve = _serve(tool, services, registry)

    class ToolRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            return serve

    app.router.add_api_route(
        tool.path,
        _schema_endpoint(tool),
        methods=[tool.http_method],
        name=tool.name,
        operation_id=tool.operation_id,
        summary=tool.summary,
        description=registry.render(tool.description, _http_name),
        response_model=tool.output_model,
        status_code=tool.created_status or 200,
        responses=_responses(tool),
        tags=[tool.name.split(".")[0]],
        include_in_schema=tool.scope == "sandbox" if in_schema is None else in_schema,
        openapi_extra={"x-openai-isConsequential": tool.consequential},
        route_class_override=ToolRoute,
    )


def _http_name(tool: Tool) -> str:
    """How HTTP callers know a tool: its path (``memory.query`` -> ``/memory/query``)."""
    return tool.path


def _serve(
    tool: Tool, services: Services, registry: Registry
) -> Callable[[Request], Coroutine[Any, Any, Response]]:
    """The route's handler: the raw request to ``invoke``, its answer or error back; one
    thread-pool hop per call (``invoke`` does blocking database and git work)."""

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
        return await run_in_threadpool(run, request, payload)

    return serve


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


def _responses(tool: Tool) -> dict[int | str, dict[str, Any]]:
    """Error bodies, plus 200 for a tool that answers 201 only when it creates something."""
    if not tool.may_resume:
        return ERROR_RESPONSES
    resumed = {"model": tool.output_model, "description": "Nothing was created (resumed)."}
    return {200: resumed, **ERROR_RESPONSES}


def _schema_endpoint(tool: Tool) -> Callable[..., JSONResponse]:
    """A signature for the schema only (never called): path fields from the URL, the rest
    from the JSON body (the query string for GET), and bearer auth."""

    def never_called(**values: Any) -> JSONResponse:
        raise AssertionError(f"{tool.name}: served by ToolRoute, not by FastAPI")

    input_model: Any = tool.input_model
    kind = inspect.Parameter.KEYWORD_ONLY
    params = [inspect.Parameter("credentials", kind, annotation=Credentials)]
    if tool.http_method == "POST" and not tool.path_params:
        params.insert(0, inspect.Parameter("body", kind, annotation=input_model))
        never_called.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        return never_called
    fields = input_model.model_fields
    for name in tool.path_params:
        described = Path(description=fields[name].description)
        annotation: Any = Annotated[fields[name].annotation, described]
        params.append(inspect.Parameter(name, kind, annotation=annotation))
    rest = _without(input_model, tool.path_params)
    if rest.model_fields:
        if tool.http_method == "GET":
            params.append(inspect.Parameter("fields", kind, annotation=Annotated[rest, Query()]))
        elif any(field.is_required() for field in rest.model_fields.values()):
            params.append(inspect.Parameter("fields", kind, annotation=Annotated[rest, Body()]))
        else:
            optional: Any = Annotated[rest | None, Body()]
            params.append(inspect.Parameter("fields", kind, annotation=optional, default=None))
    never_called.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return never_called


def _without(model: type[BaseModel], names: list[str]) -> type[BaseModel]:
    """``model`` without the fields the path carries."""
    if not names:
        return model
    kept: dict[str, Any] = {
        name: (field.annotation, field)
        for name, field in model.model_fields.items()
        if name not in names
    }
    return create_model(f"{model.__name__}Fields", __config__=model.model_config, **kept)


def _add_admin_schema(
    app: FastAPI, settings: Settings, services: Services, registry: Registry
) -> None:
    """``GET /admin/openapi.json``: the admin tools' own schema, for admin keys only."""
    admin = FastAPI(title="draftroom admin", version=__version__, description="Admin tools.")
    for tool in registry:
        if tool.scope != "sandbox" and not tool.local_only:
            _add_route(admin, tool, services, registry, in_schema=True)

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
        return gpt_schema(admin, settings)


def _add_gpt_schema(
    app: FastAPI, settings: Settings, services: Services, registry: Registry
) -> None:
    """``GET /openapi.json[?toolsets=core,workspace&read_only=1]``: the GPT Actions schema,
    of the selected toolsets only (unknown names are a 400 naming the valid ones), without
    the tools of plugins disabled server-wide."""

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(toolsets: str | None = None, read_only: str | None = None) -> dict[str, Any]:
        selection = Selection.parse(toolsets, parse_flag(read_only))
        hidden = hidden_tools(registry, services, None)
        if selection == ALL and not hidden:
            return app.openapi()
        ids = {
            tool.operation_id
            for tool in registry
            if selection.offers(tool.name, tool.writes) and tool.name not in hidden
        }
        return gpt_schema(app, settings, ids)


def error_response(
    exc: DraftroomError, request_id: str | None, registry: Registry, challenge: str | None = None
) -> JSONResponse:
    """The error body, tool names in its message shown as HTTP paths; a 401 carries
    ``challenge`` (where to learn how to sign in) as ``WWW-Authenticate``."""
    error = {**exc.to_dict(), "request_id": request_id}
    error["message"] = registry.render(exc.message, _http_name)
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
    app.add_middleware(_RequestIds)


class _RequestIds:
    """Give each request an id (``request.state.request_id``), echoed as ``X-Request-Id``.

    Plain ASGI on purpose: Starlette's ``@app.middleware("http")`` runs every request in an
    extra task group and re-streams its response, which cost more CPU than a file read.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        header = (b"x-request-id", request_id.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        await self.app(scope, receive, send_with_id)


def app_from_env() -> FastAPI:
    """App factory for ``uvicorn --factory`` and multi-worker serving: settings from the environment."""
    return create_app(Settings())
