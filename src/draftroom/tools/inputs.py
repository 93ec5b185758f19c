"""Fields every sandbox tool shares, and the answer-size budget every tool keeps under."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from draftroom.errors import InvalidInput

ANSWER_BUDGET = 60_000
"""Bytes of JSON one answer may carry: GPT Actions cut answers off past ~64 KB."""

M = TypeVar("M", bound=BaseModel)
Encoding = Literal["utf-8", "base64"]


PATH_SEGMENTS: dict[str, JsonValue] = {"pattern": "^[^/]{1,255}(/[^/]{1,255})*$"}
"""Schema-stated path shape: no empty segment, each at most 255 bytes (the server counts UTF-8
bytes, a schema only characters; ``validate_path`` enforces the rest, as 400 ``invalid_path``)."""

DIRECTORY_SEGMENTS: dict[str, JsonValue] = {"pattern": "^([^/]{1,255}(/[^/]{1,255})*)?$"}


class SandboxInput(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    repo_name: str = Field(
        ..., min_length=1, max_length=200, description="Repository name, e.g. 'demo'."
    )
    branch: str | None = Field(
        None, max_length=250, description="Your sandbox branch; omit to use the token's branch."
    )
    reuse_token: str | None = Field(
        None, max_length=200, description="From sandbox.init; signed in: optional."
    )


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


H = TypeVar("H", bound=_HasId)


def id_page(found: Sequence[H], limit: int) -> tuple[Sequence[H], int | None]:
    """The first ``limit`` of ``found`` (fetched as ``limit + 1``) and the cursor to the rest."""
    page = found[:limit]
    return page, page[-1].id if len(found) > limit else None


def fit_page(fetch: Callable[[int], M], limit: int) -> M:
    """Fetch a page, halving its size until its JSON fits the answer budget."""
    page = fetch(limit)
    while limit > 1 and len(page.model_dump_json()) > ANSWER_BUDGET:
        limit //= 2
        page = fetch(limit)
    return page


def decode_content(content: str, encoding: Encoding, path: str) -> bytes:
    if encoding == "utf-8":
        return content.encode("utf-8")
    try:
        return base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"content of {path!r} is not valid base64") from None
