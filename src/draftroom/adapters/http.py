"""The FastAPI app, generated from the tool registry: one POST route per tool, no logic here.

Every error leaves as ``{"error": {"code", "message", "details"?, "request_id"}}`` with a 4xx
status; ``/openapi.json`` is the schema a Custom GPT imports (see ``adapters.openapi``).
No ``from __future__ import annotations`` here: FastAPI reads the generated routes' annotations.
"""

import inspect
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, create_model
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from draftroom import __version__
from draftroom.adapters.limits import BodyLimit
from draftroom.adapters.mcp import McpEndpoint
from draftroom.adapters.openapi import ERROR_RESPONSES, gpt_schema
from draftroom.config import Settings
from draftroom.domain.access.tokens import authenticate_api_key
from draftroom.domain.audit.reconcile import reconcile
from draftroom.domain.calls.call import Principal
from draftroom.domain.calls.failures import FailedCall, mark_reported, report_failure, was_reported
from draftroom.domain.calls.services import Services
from draftroom.domain.upstream.worker import with_upstream_worker
from draftroom.errors import DraftroomError, InvalidRequest, RateLimited, Unauthorized
from draftroom.tools import Tool, registry

_bearer = HTTPBearer(auto_error=False, description="Your draftroom API key.")


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    services = services or Services(settings)
    services.database.migrate()
    reconcile(services)  # audit rows for commits a crash left unrecorded
    mcp = McpEndpoint(services)
    app = FastAPI(
        lifespan=with_upstream_worker(services, mcp.lifespan),
        title="draftroom",
        version=__version__,
        description="Private sandbox branches for an AI assistant: every change an audited, undoable commit.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services

    def authenticate(credentials: HTTPAuthorizationCredentials | None) -> Principal:
        if credentials is None:
            raise Unauthorized("send your API key as 'Authorization: Bearer <key>'")
        with services.database.session() as session:
            key = authenticate_api_key(session, credentials.credentials)
            return Principal(api_key_id=key.id, org_id=key.org_id, role=key.role)

    for tool in registry:
        _add_route(app, tool, services, authenticate)
    app.router.routes.append(Route("/mcp", mcp, include_in_schema=False))  # MCP, streamable HTTP
    _add_admin_schema(app, settings, services, authenticate)

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.openapi = lambda: gpt_schema(app, settings)  # type: ignore[method-assign]
    _add_error_handlers(app)
    _add_request_ids(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    return app


def _add_route(
    app: FastAPI,
    tool: Tool,
    services: Services,
    authenticate: Callable[[HTTPAuthorizationCredentials | None], Principal],
    *,
    in_schema: bool | None = None,
) -> None:
    # One sync dependency (one thread-pool hop) for the key check and the scope check, run
    # before FastAPI reads the body: a caller without the scope learns nothing of the input.
    def allowed(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        who = authenticate(credentials)
        registry.precheck(tool, services, who, request_id=request.state.request_id)
        return who

    app.add_api_route(
        tool.path,
        _endpoint(tool, services, allowed),
        methods=[tool.http_method],
        name=tool.name,
        operation_id=tool.operation_id,
        summary=tool.summary,
        description=tool.description,
        response_model=tool.output_model,
        status_code=tool.created_status or 200,
        responses=_responses(tool),
        tags=[tool.name.split(".")[0]],
        include_in_schema=tool.scope != "admin" if in_schema is None else in_schema,
        openapi_extra={"x-openai-isConsequential": tool.consequential},
    )


def _responses(tool: Tool) -> dict[int | str, dict[str, Any]]:
    """Error bodies, plus 200 for a tool that answers 201 only when it creates something."""
    if not tool.may_resume:
        return ERROR_RESPONSES
    resumed = {"model": tool.output_model, "description": "Nothing was created (resumed)."}
    return {200: resumed, **ERROR_RESPONSES}


def _endpoint(
    tool: Tool, services: Services, who: Callable[..., Principal]
) -> Callable[..., JSONResponse]:
    """The handler FastAPI reads: path fields from the URL, the rest from the JSON body
    (the query string for GET); the registry validates them together as the tool's input."""

    def run(request: Request, principal: Principal, payload: Any) -> JSONResponse:
        rid = request.state.request_id
        client = request.client.host if request.client else None
        output = registry.invoke(tool, services, principal, payload, request_id=rid, client=client)
        return JSONResponse(output.model_dump(mode="json"), status_code=tool.status_for(output))

    input_model: Any = tool.input_model
    if tool.http_method == "POST" and not tool.path_params:

        def endpoint(
            body: input_model, request: Request, who: Annotated[Principal, Depends(who)]
        ) -> JSONResponse:
            return run(request, who, body)

        return endpoint

    fields = input_model.model_fields
    kind = inspect.Parameter.KEYWORD_ONLY
    params = [
        inspect.Parameter("request", kind, annotation=Request),
        inspect.Parameter("who", kind, annotation=Annotated[Principal, Depends(who)]),
    ]
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

    def generic(**values: Any) -> JSONResponse:
        payload = {name: values[name] for name in tool.path_params}
        given: BaseModel | None = values.get("fields")
        if given is not None:
            payload.update(given.model_dump(by_alias=True, exclude_unset=True))
        return run(values["request"], values["who"], payload)

    generic.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return generic


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
    app: FastAPI,
    settings: Settings,
    services: Services,
    authenticate: Callable[[HTTPAuthorizationCredentials | None], Principal],
) -> None:
    """``GET /admin/openapi.json``: the admin tools' own schema, for admin keys only."""
    admin = FastAPI(title="draftroom admin", version=__version__, description="Admin tools.")
    for tool in registry:
        if tool.scope == "admin":
            _add_route(admin, tool, services, authenticate, in_schema=True)

    @app.get("/admin/openapi.json", include_in_schema=False)
    def admin_openapi(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> dict[str, Any]:
        registry.authorize("admin", authenticate(credentials), "the admin schema")
        return gpt_schema(admin, settings)


def error_response(exc: DraftroomError, request_id: str | None) -> JSONResponse:
    body: dict[str, Any] = {"error": {**exc.to_dict(), "request_id": request_id}}
    headers = {}
    if isinstance(exc, RateLimited) and "retry_after" in exc.details:
        headers["Retry-After"] = str(exc.details["retry_after"])
    return JSONResponse(body, status_code=exc.status, headers=headers)


def _add_error_handlers(app: FastAPI) -> None:
    def request_id(request: Request) -> str | None:
        return getattr(request.state, "request_id", None)

    def report(request: Request, exc: DraftroomError) -> None:
        """Log and count a refusal that never reached ``Registry.invoke`` (bad key, bad body)."""
        if was_reported(exc):
            return
        route = request.scope.get("route")
        name = getattr(route, "name", None) or request.url.path
        services: Services = request.app.state.services
        failure = FailedCall(
            request_id=request_id(request) or "",
            tool=name,
            code=exc.code,
            status=exc.status,
            repo=None,
            branch=None,
            duration_ms=0.0,
            transport="http",
            writes=False,
        )
        report_failure(failure, services.failures, services.alerts)
        mark_reported(exc)

    @app.exception_handler(DraftroomError)
    async def draftroom_error(request: Request, exc: DraftroomError) -> JSONResponse:
        report(request, exc)
        return error_response(exc, request_id(request))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"] if p != "body") or "body"
        message = f"{where}: {first['msg']}"
        error = InvalidRequest(message, errors=errors)
        report(request, error)
        return error_response(error, request_id(request))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        body = {
            "error": {"code": code, "message": str(exc.detail), "request_id": request_id(request)}
        }
        return JSONResponse(body, status_code=exc.status_code)


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
