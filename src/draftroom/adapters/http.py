"""The FastAPI app, generated from the tool registry: one POST route per tool, no logic here.

Every error leaves as ``{"error": {"code", "message", "details"?, "request_id"}}`` with a 4xx
status; ``/openapi.json`` is the schema a Custom GPT imports (see ``adapters.openapi``).
No ``from __future__ import annotations`` here: FastAPI reads the generated routes' annotations.
"""

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from draftroom import __version__
from draftroom.adapters.openapi import ERROR_RESPONSES, gpt_schema
from draftroom.config import Settings
from draftroom.domain.calls import Principal
from draftroom.domain.services import Services
from draftroom.domain.tokens import authenticate_api_key
from draftroom.errors import DraftroomError, InvalidRequest, RateLimited, Unauthorized
from draftroom.tools import Tool, registry

_bearer = HTTPBearer(auto_error=False, description="Your draftroom API key.")


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    services = services or Services(settings)
    services.database.migrate()
    app = FastAPI(
        title="draftroom",
        version=__version__,
        description="Private sandbox branches for an AI assistant: every change an audited, undoable commit.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services

    def principal(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None:
            raise Unauthorized("send your API key as 'Authorization: Bearer <key>'")
        with services.database.session() as session:
            key = authenticate_api_key(session, credentials.credentials)
            return Principal(api_key_id=key.id, org_id=key.org_id, role=key.role)

    for tool in registry:
        _add_route(app, tool, services, principal)

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.openapi = lambda: gpt_schema(app, settings)  # type: ignore[method-assign]
    _add_error_handlers(app)
    _add_request_ids(app)
    return app


def _add_route(
    app: FastAPI, tool: Tool, services: Services, principal: Callable[..., Principal]
) -> None:
    input_model: Any = tool.input_model

    def endpoint(
        body: input_model,
        request: Request,
        who: Annotated[Principal, Depends(principal)],
    ) -> JSONResponse:
        output = registry.invoke(tool, services, who, body, request_id=request.state.request_id)
        return JSONResponse(output.model_dump(mode="json"), status_code=tool.status_for(output))

    app.add_api_route(
        tool.path,
        endpoint,
        methods=["POST"],
        name=tool.name,
        operation_id=tool.operation_id,
        summary=tool.summary,
        description=tool.description,
        response_model=tool.output_model,
        status_code=tool.created_status or 200,
        responses=ERROR_RESPONSES,
        tags=[tool.name.split(".")[0]],
        include_in_schema=tool.scope != "admin",
        openapi_extra={"x-openai-isConsequential": tool.consequential},
    )


def error_response(exc: DraftroomError, request_id: str | None) -> JSONResponse:
    body: dict[str, Any] = {"error": {**exc.to_dict(), "request_id": request_id}}
    headers = {}
    if isinstance(exc, RateLimited) and "retry_after" in exc.details:
        headers["Retry-After"] = str(exc.details["retry_after"])
    return JSONResponse(body, status_code=exc.status, headers=headers)


def _add_error_handlers(app: FastAPI) -> None:
    def request_id(request: Request) -> str | None:
        return getattr(request.state, "request_id", None)

    @app.exception_handler(DraftroomError)
    async def draftroom_error(request: Request, exc: DraftroomError) -> JSONResponse:
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
        return error_response(InvalidRequest(message, errors=errors), request_id(request))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        body = {
            "error": {"code": code, "message": str(exc.detail), "request_id": request_id(request)}
        }
        return JSONResponse(body, status_code=exc.status_code)


def _add_request_ids(app: FastAPI) -> None:
    @app.middleware("http")
    async def assign(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request.state.request_id = uuid.uuid4().hex
        response = await call_next(request)
        response.headers["X-Request-Id"] = request.state.request_id
        return response


def app_from_env() -> FastAPI:
    """App factory for ``uvicorn --factory`` and multi-worker serving: settings from the environment."""
    return create_app(Settings())
