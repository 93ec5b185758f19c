"""The GPT Actions schema: OpenAPI 3.1 within OpenAI's documented import limits.

Limits (checked by tests/adapters/test_openapi.py): summary and description <= 300
characters, parameter descriptions <= 700, at most 30 operations, a ``servers`` entry with the
public URL, bearer auth, and ``x-openai-isConsequential`` on every operation.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

MAX_OPERATIONS = 30
MAX_DESCRIPTION = 300
MAX_PARAMETER_DESCRIPTION = 700
BOUNDS = ("maxLength", "maxItems", "minItems")
"""Dropped from inputs: the server refuses past them, naming the field. ``minLength`` stays:
it says a field may not be empty (``cursor``), which a model would not guess."""


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
ERROR_DESCRIPTION = (
    "Error: 400 bad input, 401 bad key or token, 403 not allowed, 404 not found, 409 conflict"
    " (branch moved), 413 too large, 422 not the schema, 429 retry after Retry-After seconds."
)
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text} for status, text in ERROR_TEXTS.items()
}


def _share_error_responses(schema: dict[str, Any]) -> None:
    """One shared ``default`` error response (its description lists the statuses) instead of
    eight per operation: the error body is the same for all of them, and a GPT reads the
    schema whole."""
    shared = schema.setdefault("components", {}).setdefault("responses", {})
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            responses = operation.get("responses", {})
            errors = [
                responses.pop(str(status)) for status in ERROR_TEXTS if str(status) in responses
            ]
            if errors:
                error = {**errors[0], "description": ERROR_DESCRIPTION}
                shared["Error"] = error
                responses["default"] = {"$ref": "#/components/responses/Error"}


def gpt_schema(
    app: FastAPI, server: str | None, operation_ids: set[str] | None = None
) -> dict[str, Any]:
    """The app's compact schema; with ``operation_ids``, only those operations (a toolset).

    ``server`` is the URL its paths are under (the public URL, plus ``/v2`` for a version);
    None leaves ``servers`` out (the committed snapshots: the same for every deployment).
    """
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            openapi_version="3.1.0",
            description=app.description,
            routes=app.routes,
            servers=[{"url": server}] if server is not None else None,
        )
        schema["security"] = [{"HTTPBearer": []}]
        schema["info"].pop("description", None)
        _share_error_responses(schema)
        compact(schema)
        app.openapi_schema = schema
    return select(app.openapi_schema, operation_ids)


def compact(schema: dict[str, Any]) -> None:
    """Shrink the schema a GPT reads whole: no generated titles, no ``null`` alternatives
    (an omitted field is the same), operation tags and per-operation security dropped (the
    security is global), inputs without size bounds (the server checks them, naming the
    field), outputs only as their field names (the model reads the answer itself). ``select`` then shares the repeated fields."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            operation.pop("tags", None)
            operation.pop("security", None)
            if operation.get("description"):  # GPTs read the description; the summary repeats it
                operation.pop("summary", None)
            body = operation.get("requestBody", {})
            body.pop("required", None)  # implied: every input has required fields
            for status, response in operation.get("responses", {}).items():
                if status.startswith("2"):
                    response["description"] = "OK"
    models = schema.get("components", {}).get("schemas", {})
    for model in models.values():
        _simplify(model)
        if "properties" in model:
            model.pop("type", None)  # an object: it has properties
        # The server checks sizes and refuses unknown fields (a typed 4xx naming the field):
        # the model needs the fields, not their bounds.
        _strip(model, ("additionalProperties", *BOUNDS))
    outputs = _response_only(schema)
    for name in outputs:
        _strip(models[name], ("description", "default", "required", "enum"))
        # The model reads the answer's values; the schema names the fields it may rely on.
        fields = models[name].get("properties", {})
        models[name]["properties"] = {field: {} for field in fields}
    used = _references(schema.get("paths", {}), schema.get("components", {}))
    for name in outputs:
        if f"#/components/schemas/{name}" not in used:
            del models[name]


def _simplify(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _simplify(item)
        return
    if not isinstance(node, dict):
        return
    node.pop("title", None)
    for bound in ("minimum", "maximum"):
        if isinstance(node.get(bound), float) and node[bound].is_integer():
            node[bound] = int(node[bound])
    options = node.get("anyOf")
    if isinstance(options, list):
        kept = [option for option in options if option != {"type": "null"}]
        if len(kept) == 1 and len(kept) < len(options):
            del node["anyOf"]
            node.update({k: v for k, v in kept[0].items() if k not in node})
            if node.get("default", 0) is None:
                del node["default"]
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            for field in value.values():
                _simplify(field)
        elif key != "examples":
            _simplify(value)


def _response_only(schema: dict[str, Any]) -> set[str]:
    """The component schemas only responses use: the model reads their values, not their
    documentation."""
    requests, responses = [], []
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            requests.append(operation.get("requestBody"))
            requests.append(operation.get("parameters"))
            responses.append(operation.get("responses"))
    components = schema.get("components", {})
    prefix = "#/components/schemas/"
    read = {ref for ref in _references(requests, components) if ref.startswith(prefix)}
    written = {ref for ref in _references(responses, components) if ref.startswith(prefix)}
    return {ref.removeprefix(prefix) for ref in written - read}


def _strip(node: Any, keys: tuple[str, ...]) -> None:
    if isinstance(node, dict):
        for key in keys:
            if not isinstance(node.get(key), dict):  # a property named "description" stays
                node.pop(key, None)
        for value in node.values():
            _strip(value, keys)
    elif isinstance(node, list):
        for item in node:
            _strip(item, keys)


def _share_fields(models: dict[str, Any]) -> None:
    """Each field defined identically in several models becomes one shared schema, when that
    is shorter (``repo_name`` -> ``#/components/schemas/RepoName``)."""
    seen: dict[tuple[str, str], int] = {}
    for model in models.values():
        for name, field in model.get("properties", {}).items():
            key = (name, json.dumps(field, sort_keys=True))
            seen[key] = seen.get(key, 0) + 1
    shared: dict[tuple[str, str], str] = {}
    for (name, text), count in seen.items():
        component = "".join(part.title() for part in name.split("_"))
        reference = len(f'{{"$ref": "#/components/schemas/{component}"}}')
        if count < 2 or count * len(text) < count * reference + len(text) + len(component) + 20:
            continue
        while component in models or component in shared.values():
            component += "Field"
        shared[(name, text)] = component
    for model in list(models.values()):
        properties = model.get("properties", {})
        for name, field in properties.items():
            found = shared.get((name, json.dumps(field, sort_keys=True)))
            if found is not None:
                properties[name] = {"$ref": f"#/components/schemas/{found}"}
    for (_, text), component in shared.items():
        models[component] = json.loads(text)


def select(schema: dict[str, Any], operation_ids: set[str] | None = None) -> dict[str, Any]:
    """A copy of ``schema`` with only these operations (None: all), only the components they
    use, and the fields they repeat shared."""
    selected = copy.deepcopy(schema)
    for path in list(selected["paths"]):
        item = selected["paths"][path]
        for method in list(item):
            if operation_ids is not None and item[method].get("operationId") not in operation_ids:
                del item[method]
        if not item:
            del selected["paths"][path]
    components = selected.get("components", {})
    used = _references(selected["paths"], components)
    for kind in ("schemas", "responses"):
        table = components.get(kind, {})
        for name in list(table):
            if f"#/components/{kind}/{name}" not in used:
                del table[name]
    _share_fields(components.get("schemas", {}))
    return selected


def _references(start: Any, components: dict[str, Any]) -> set[str]:
    """Every ``$ref`` reachable from ``start`` through the components it names."""
    found: set[str] = set()
    pending = [start]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref not in found:
                found.add(ref)
                _, _, kind, name = ref.split("/", 3)
                pending.append(components.get(kind, {}).get(name))
            pending.extend(value for key, value in node.items() if key != "$ref")
        elif isinstance(node, list):
            pending.extend(node)
    return found
