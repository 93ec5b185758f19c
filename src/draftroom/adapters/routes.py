"""Tool routes: one FastAPI route per tool, its typed signature publishing the input model.

The signature is for the schema only: ``Registry.invoke`` decodes and validates the raw
request (see ``adapters.http``). Shared by the served app, the admin schema and the
per-version schema apps (``adapters.api_schemas``).
No ``from __future__ import annotations`` here: FastAPI reads the generated routes' annotations.
"""

import inspect
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, Path, Query, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, create_model
from starlette.responses import Response

from draftroom.adapters.openapi import ERROR_RESPONSES
from draftroom.tools import Registry, Tool

_bearer = HTTPBearer(auto_error=False, description="Your draftroom API key.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
"""Publishes bearer auth in the schema; the credential itself is read from the request."""
Serve = Callable[[Request], Coroutine[Any, Any, Response]]
"""A tool route's handler: the raw request in, the answer out."""


def add_tool_route(
    app: FastAPI,
    tool: Tool,
    registry: Registry,
    serve: Serve | None = None,
    *,
    prefix: str = "",
    in_schema: bool | None = None,
) -> None:
    """``tool``'s route at ``prefix`` + its path, answered by ``serve`` (None: a schema-only
    app, never served); a deprecated variant is marked so in the schema."""
    extra: dict[str, Any] = {}
    if serve is not None:
        handler = serve

        class ToolRoute(APIRoute):
            def get_route_handler(self) -> Serve:
                return handler

        extra["route_class_override"] = ToolRoute
    app.router.add_api_route(
        prefix + tool.path,
        _schema_endpoint(tool),
        methods=[tool.http_method],
        name=tool.name,
        operation_id=tool.operation_id,
        summary=tool.summary,
        description=registry.render(tool.description, http_name),
        response_model=tool.output_model,
        status_code=tool.created_status or 200,
        responses=_responses(tool),
        tags=[tool.name.split(".")[0]],
        deprecated=tool.deprecated is not None or None,
        include_in_schema=tool.scope == "sandbox" if in_schema is None else in_schema,
        openapi_extra={"x-openai-isConsequential": tool.consequential},
        **extra,
    )


def http_name(tool: Tool) -> str:
    """How HTTP callers know a tool: its path (``memory.query`` -> ``/memory/query``)."""
    return tool.path


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
