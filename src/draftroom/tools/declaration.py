"""``@tool``: what a handler declares about itself, read by ``Registry.add`` at start.

Declaring only attaches a ``Declaration`` to the function, so importing a tool module
registers nothing (no import-time state).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from pydantic import BaseModel

from draftroom.domain.access import Scope
from draftroom.tools.versions import Deprecation

HttpMethod = Literal["GET", "POST"]
H = TypeVar("H", bound=Callable[..., BaseModel])
_DECLARATION = "__draftroom_tool__"


@dataclass(frozen=True)
class Declaration:
    """What ``@tool`` says about a handler; the registry adds what its annotations say."""

    name: str
    summary: str
    description: str
    scope: Scope = "sandbox"
    consequential: bool = False
    writes: bool = False
    idempotent: bool = False
    created_status: int | None = None
    http_method: HttpMethod = "POST"
    http_path: str | None = None
    local_only: bool = False
    reads_archived: bool = False
    person_scope: Scope | None = None
    api_version: int = 1
    deprecated: Deprecation | None = None


def tool(
    name: str,
    *,
    summary: str,
    description: str,
    scope: Scope = "sandbox",
    consequential: bool = False,
    writes: bool = False,
    idempotent: bool = False,
    created_status: int | None = None,
    http_method: HttpMethod = "POST",
    http_path: str | None = None,
    local_only: bool = False,
    reads_archived: bool = False,
    person_scope: Scope | None = None,
    api_version: int = 1,
    deprecated: Deprecation | None = None,
) -> Callable[[H], H]:
    """Declare a handler as the tool ``name`` from API version ``api_version`` on (one
    declaration per tool and version); it is registered by ``build_registry``."""
    declaration = Declaration(
        name=name,
        summary=summary,
        description=description,
        scope=scope,
        consequential=consequential,
        writes=writes,
        idempotent=idempotent,
        created_status=created_status,
        http_method=http_method,
        http_path=http_path,
        local_only=local_only,
        reads_archived=reads_archived,
        person_scope=person_scope,
        api_version=api_version,
        deprecated=deprecated,
    )

    def declare(handler: H) -> H:
        setattr(handler, _DECLARATION, declaration)
        return handler

    return declare


def declaration_of(value: object) -> Declaration | None:
    found = getattr(value, _DECLARATION, None)
    return found if isinstance(found, Declaration) else None
