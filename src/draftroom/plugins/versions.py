"""Which plugin API versions this server offers, and the check of a plugin's ``requires_api``
(``">=1,<3"``: comma-separated clauses, each an operator and a major version)."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable

SUPPORTED_API_VERSIONS: tuple[int, ...] = (1, 2)
"""The tool API versions served (``tools.versions.API_VERSIONS`` is this tuple); a plugin
must accept at least one of them."""
_CLAUSE = re.compile(r"^\s*(>=|<=|==|!=|>|<)\s*(\d{1,4})\s*$")
_OPERATORS: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}


def accepted_versions(requires_api: str) -> list[int]:
    """The supported versions ``requires_api`` accepts; ValueError if it does not parse."""
    clauses = []
    for text in requires_api.split(","):
        match = _CLAUSE.match(text)
        if match is None:
            raise ValueError(f"{text.strip()!r} is not OP VERSION, e.g. '>=1'")
        clauses.append((_OPERATORS[match[1]], int(match[2])))
    return [v for v in SUPPORTED_API_VERSIONS if all(op(v, bound) for op, bound in clauses)]


class PluginRefused(RuntimeError):
    """An installed plugin this server will not start with; the message says why and what to do."""


def check_requires_api(plugin: str, requires_api: str) -> None:
    """Refuse (``PluginRefused``) a plugin whose ``requires_api`` this server cannot meet."""
    supported = ", ".join(map(str, SUPPORTED_API_VERSIONS))
    try:
        accepted = accepted_versions(requires_api)
    except ValueError as exc:
        raise PluginRefused(f"plugin {plugin!r}: requires_api {requires_api!r}: {exc}") from None
    if not accepted:
        raise PluginRefused(
            f"plugin {plugin!r} requires API {requires_api!r}, but this server supports API "
            f"versions {supported}; install a version of the plugin made for them"
        )
