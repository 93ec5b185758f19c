"""Turning what a transport received into a tool's input: decoded and checked once, by pydantic.

A JSON body is parsed by pydantic itself (it refuses lone surrogates there); a payload that
arrives as Python objects (MCP, the CLI, an internal call) is checked for them here, since
text that is not Unicode cannot be stored, scanned or answered.

Every input is validated as JSON in strict mode, whatever the transport: ``0`` is not
``false``, ``"5"`` and ``5.0`` are not ``5`` (422), while enums, dates and secrets still
decode from their JSON strings. Path and query values, which arrive as text, are typed first.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pydantic_core
from pydantic import BaseModel, ValidationError

from draftroom.errors import InvalidRequest

_SURROGATE = re.compile("[\ud800-\udfff]")
_INTEGER = re.compile(r"-?[0-9]{1,18}")


@dataclass(frozen=True)
class RawInput:
    """A transport's input before decoding: a JSON body (``None``: no body is read) and the
    fields the transport carries elsewhere (path and query values, as strings)."""

    body: bytes | None
    fields: Mapping[str, str] = field(default_factory=dict)


Payload = Mapping[str, Any] | RawInput | BaseModel


def validate(model: type[BaseModel], payload: Payload) -> Any:
    """The tool's input from what the transport received; pydantic decodes and checks it."""
    if not isinstance(payload, RawInput):
        _refuse_surrogates(payload.model_dump() if isinstance(payload, BaseModel) else payload, ())
    if isinstance(payload, model):
        return payload
    try:
        if isinstance(payload, RawInput):
            if payload.body is not None and not payload.fields:
                return model.model_validate_json(payload.body, strict=True)
            fields = _typed(model, payload.fields)
            data: Any = {**_json_object(payload.body), **fields}
        else:
            data = payload.model_dump() if isinstance(payload, BaseModel) else payload
        return model.model_validate_json(pydantic_core.to_json(data), strict=True)
    except ValidationError as exc:
        errors = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False, include_context=False, include_input=False)
        ]
        raise invalid_request(errors) from None


def _typed(model: type[BaseModel], fields: Mapping[str, str]) -> dict[str, Any]:
    """Path and query text as the JSON value its field takes: ``"5"`` for an integer field is
    ``5``, ``"true"`` for a boolean ``true``; anything else stays text (and strict says no)."""
    typed: dict[str, Any] = {}
    for name, value in fields.items():
        info = model.model_fields.get(name)
        kinds = {info.annotation, *typing.get_args(info.annotation)} if info else set()
        if int in kinds and _INTEGER.fullmatch(value):
            typed[name] = int(value)
        elif bool in kinds and value in ("true", "false"):
            typed[name] = value == "true"
        else:
            typed[name] = value
    return typed


def _json_object(body: bytes | None) -> dict[str, Any]:
    if not body:
        return {}
    try:
        data = pydantic_core.from_json(body)
    except ValueError as exc:
        error = {"loc": [], "msg": f"Invalid JSON: {exc}", "type": "json_invalid"}
        raise invalid_request([error]) from None
    if not isinstance(data, dict):
        msg = "Input should be a valid dictionary or object to extract fields from"
        raise invalid_request([{"loc": [], "msg": msg, "type": "model_attributes_type"}])
    return data


def invalid_request(errors: list[dict[str, Any]], *, root: str = "input") -> InvalidRequest:
    """422 ``invalid_request`` naming the first field in error (``root`` when it is the whole)."""
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    where = ".".join(str(part) for part in first["loc"]) or root
    return InvalidRequest(f"{where}: {first['msg']}", errors=errors)


def _refuse_surrogates(value: Any, loc: tuple[str | int, ...]) -> None:
    """Refuse text that is not Unicode: JSON may carry a lone surrogate (``"\\udcff"``)."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise InvalidRequest(
                f"{'.'.join(map(str, loc)) or 'body'}: text must be valid Unicode; it holds a "
                "lone surrogate (\\ud800-\\udfff). Send binary content as base64",
                errors=[{"type": "string_unicode", "loc": list(loc), "msg": "lone surrogate"}],
            )
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _refuse_surrogates(key, loc)
            _refuse_surrogates(item, (*loc, key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _refuse_surrogates(item, (*loc, index))
