"""The GPT Actions schema: OpenAPI 3.1 within OpenAI's documented import limits.

Limits (checked by tests/adapters/test_openapi.py): summary and description <= 300
characters, parameter descriptions <= 700, at most 30 operations, a ``servers`` entry with the
public URL, bearer auth, and ``x-openai-isConsequential`` on every operation.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from draftroom.config import Settings

MAX_OPERATIONS = 30
MAX_DESCRIPTION = 300
MAX_PARAMETER_DESCRIPTION = 700


class ErrorBody(BaseModel):
    code: str
    message: str
    details: dict[str, Any] | None = None
    request_id: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


ERROR_TEXTS = {
    400: "Invalid input (bad path, empty change set).",
    401: "Missing or invalid API key or reuse token.",
    403: "The token may not touch this repository, branch or path.",
    404: "No such repository, ref, path or commit.",
    409: "Conflict: the branch moved, or a revert/merge conflicts.",
    413: "Too large.",
    422: "The request body does not match the schema.",
    429: "Too many requests; retry after the Retry-After seconds.",
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text} for status, text in ERROR_TEXTS.items()
}


def _share_error_responses(schema: dict[str, Any]) -> None:
    """Each error response once under ``components/responses``, referenced by every operation.

    Keeps the schema within the import size as tools are added.
    """
    shared = schema.setdefault("components", {}).setdefault("responses", {})
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            responses = operation.get("responses", {})
            for status in ERROR_TEXTS:
                if str(status) in responses:
                    shared[f"Error{status}"] = responses[str(status)]
                    responses[str(status)] = {"$ref": f"#/components/responses/Error{status}"}


def gpt_schema(app: FastAPI, settings: Settings) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            openapi_version="3.1.0",
            description=app.description,
            routes=app.routes,
            servers=[{"url": settings.public_url}],
        )
        schema["security"] = [{"HTTPBearer": []}]
        _share_error_responses(schema)
        app.openapi_schema = schema
    return app.openapi_schema
