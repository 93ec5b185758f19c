"""Example arguments for a tool, built from its input schema: agents copy an example's shape.

Each MCP tool's description ends with one (``adapters.mcp.describe``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_EXAMPLE_HINT = re.compile(r"e\.g\. '([^']+)'")


def example_call(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A call with every required field of ``schema`` filled with an example value."""
    value = _example(schema, schema.get("$defs", {}), "", top=True)
    return value if isinstance(value, dict) else {}


def _example(
    schema: Mapping[str, Any], defs: Mapping[str, Any], name: str, *, top: bool = False
) -> Any:
    """Required fields; inside nested objects also the ones defaulting to null (``content``)."""
    if "$ref" in schema:
        return _example(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, name, top=top)
    if schema.get("examples"):
        return schema["examples"][0]
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        chosen = next((o for o in options if o.get("type") != "null"), options[0])
        return _example(chosen, defs, name)
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        return {
            field: _example(spec, defs, field)
            for field, spec in properties.items()
            if field in required or (not top and "default" in spec and spec["default"] is None)
        }
    if kind == "array":
        return [_example(schema.get("items", {}), defs, name)]
    if kind == "integer":
        return int(schema.get("minimum", 0))
    if kind == "number":
        return float(schema.get("minimum", 0))
    if kind == "boolean":
        return False
    hint = _EXAMPLE_HINT.search(schema.get("description", ""))
    return hint.group(1) if hint else f"<{name or 'value'}>"
