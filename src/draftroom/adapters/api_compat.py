"""The compatibility check: what a new schema of a released API version breaks.

A released version only grows. Breaking, each named by operation and field: an operation
removed or its ``operationId`` changed; an input (body field or parameter) removed; a new
required input; a narrowed type, enum or bound of an input; a response removed or a field of
it removed. New operations, optional fields, wider types, ``deprecated`` marks pass. Works
on plain OpenAPI documents (``$ref`` resolved per document): it must never import the app.
"""

from __future__ import annotations

import json
from typing import Any

Schema = dict[str, Any]
_LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems")
_UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems")
_DEPTH = 24


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """Each change from ``old`` to ``new`` that breaks a caller of ``old``, one line each."""
    problems: list[str] = []
    new_operations = _operations(new)
    for where, before in _operations(old).items():
        after = new_operations.get(where)
        if after is None:
            problems.append(f"{where}: operation removed")
            continue
        if before.get("operationId") != after.get("operationId"):
            problems.append(f"{where}: operationId changed to {after.get('operationId')!r}")
        compare = _Compare(old, new, problems)
        compare.input(where, _input(old, before), _input(new, after))
        for status, response in before.get("responses", {}).items():
            if status.startswith("2"):
                compare.output(f"{where} {status}", response, after.get("responses", {}))
    return problems


def _operations(doc: Schema) -> dict[str, Schema]:
    return {
        f"{method.upper()} {path}": operation
        for path, item in doc.get("paths", {}).items()
        for method, operation in item.items()
        if isinstance(operation, dict)
    }


def _resolve(doc: Schema, node: Any) -> Any:
    """``node`` with its top-level ``$ref`` followed (within ``doc``)."""
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < _DEPTH:
        _, _, kind, name = node["$ref"].split("/", 3)
        node, seen = doc.get("components", {}).get(kind, {}).get(name, {}), seen + 1
    return node


def _input(doc: Schema, operation: Schema) -> Schema:
    """Body fields and parameters as one object schema: both are what a caller sends."""
    properties: dict[str, Any] = {}
    required: set[str] = set()
    for parameter in operation.get("parameters", []):
        parameter = _resolve(doc, parameter)
        properties[parameter["name"]] = parameter.get("schema", {})
        if parameter.get("required"):
            required.add(parameter["name"])
    content = _resolve(doc, operation.get("requestBody", {})).get("content", {})
    body = _resolve(doc, content.get("application/json", {}).get("schema"))
    if isinstance(body, dict):
        properties.update(body.get("properties", {}))
        required |= set(body.get("required", []))
    return {"type": "object", "properties": properties, "required": sorted(required)}


class _Compare:
    def __init__(self, old: Schema, new: Schema, problems: list[str]) -> None:
        self.old, self.new, self.problems = old, new, problems

    def input(self, where: str, before: Any, after: Any, depth: int = 0) -> None:
        """An input may widen, never narrow: every value valid before stays valid."""
        before, after = _resolve(self.old, before), _resolve(self.new, after)
        if not isinstance(before, dict) or not isinstance(after, dict) or depth > _DEPTH:
            return
        old_types, new_types = _types(self.old, before), _types(self.new, after)
        if not _covers(new_types, old_types):
            self.problems.append(
                f"{where}: type narrowed from {sorted(old_types)} to {sorted(new_types)}"
            )
        self._enum(where, before, after)
        self._bounds(where, before, after)
        old_fields, new_fields = _properties(self.old, before), _properties(self.new, after)
        for name, field in old_fields.items():
            if name not in new_fields:
                self.problems.append(f"{where}: input field {name!r} removed")
            else:
                self.input(f"{where}.{name}", field, new_fields[name], depth + 1)
        was_required = _required(self.old, before)
        for name in sorted(_required(self.new, after) - was_required):
            self.problems.append(f"{where}: new required input {name!r}")
        if "items" in before and "items" in after:
            self.input(f"{where}[]", before["items"], after["items"], depth + 1)

    def output(self, where: str, before: Any, responses: Schema) -> None:
        """A response keeps its status and every field it had (values are the model's to read)."""
        status = where.rsplit(" ", 1)[1]
        if status not in responses:
            self.problems.append(f"{where}: response removed")
            return
        old_fields = _properties(self.old, _body(self.old, before))
        new_fields = _properties(self.new, _body(self.new, responses[status]))
        for name in old_fields:
            if name not in new_fields:
                self.problems.append(f"{where}: response field {name!r} removed")

    def _enum(self, where: str, before: Schema, after: Schema) -> None:
        old_values, new_values = _values(before), _values(after)
        if new_values is None:
            return
        if old_values is None or old_values - new_values:
            lost = sorted(old_values - new_values) if old_values else "any value"
            self.problems.append(f"{where}: enum narrowed (no longer accepts {lost})")

    def _bounds(self, where: str, before: Schema, after: Schema) -> None:
        for key in (*_LOWER, *_UPPER):
            if key not in after or before.get(key) == after[key]:
                continue
            lower = key in _LOWER
            if key not in before or (
                after[key] > before[key] if lower else after[key] < before[key]
            ):
                self.problems.append(f"{where}: {key} narrowed to {after[key]}")
        if "pattern" in after and before.get("pattern") != after["pattern"]:
            self.problems.append(f"{where}: pattern changed to {after['pattern']!r}")


def _body(doc: Schema, response: Any) -> Any:
    content = _resolve(doc, response).get("content", {})
    return _resolve(doc, content.get("application/json", {}).get("schema"))


def _alternatives(doc: Schema, node: Schema) -> list[Schema]:
    options = node.get("anyOf") or node.get("oneOf")
    if not isinstance(options, list):
        return [node]
    return [found for option in options for found in _alternatives(doc, _resolve(doc, option))]


def _properties(doc: Schema, node: Any) -> dict[str, Any]:
    if not isinstance(node, dict):
        return {}
    found: dict[str, Any] = {}
    for option in _alternatives(doc, node):
        found.update(option.get("properties", {}))
    return found


def _required(doc: Schema, node: Schema) -> set[str]:
    options = _alternatives(doc, node)
    found = [set(option.get("required", [])) for option in options if "properties" in option]
    return set.intersection(*found) if found else set()


def _types(doc: Schema, node: Schema) -> set[str]:
    """The JSON types ``node`` accepts; ``{"any"}`` when it does not say."""
    found: set[str] = set()
    for option in _alternatives(doc, node):
        kind = option.get("type")
        if isinstance(kind, str):
            found.add(kind)
        elif isinstance(kind, list):
            found.update(kind)
        elif "properties" in option:
            found.add("object")
        elif "const" in option or "enum" in option:
            values = option.get("enum", [option.get("const")])
            found.update(type(value).__name__ for value in values)
        else:
            return {"any"}
    return {_JSON_TYPES.get(kind, kind) for kind in found}


_JSON_TYPES = {"str": "string", "bool": "boolean", "int": "integer", "float": "number"}


def _covers(new: set[str], old: set[str]) -> bool:
    """Whether ``new`` accepts every type ``old`` did (an integer is a number)."""
    if "any" in new:
        return True
    widened = new | ({"integer"} if "number" in new else set())
    return old <= widened if "any" not in old else False


def _values(node: Schema) -> set[str] | None:
    """The only values ``node`` accepts (``enum``, ``const``), JSON-encoded; None: not listed."""
    if "enum" in node:
        return {json.dumps(value, sort_keys=True) for value in node["enum"]}
    if "const" in node:
        return {json.dumps(node["const"], sort_keys=True)}
    return None
