"""Conflicts as a caller sees them: each side's content as text (base64 when binary), cut
to fit one answer.

Each side is cut past ``SIDE_LIMIT`` bytes, and further when the whole list would not fit
the caller's byte budget; ``truncated`` says so. Must never drop a conflict silently:
``conflicts_total`` counts them all.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

from draftroom.git import ConflictSides

SIDE_LIMIT = 64 * 1024
_SIDES = ("base", "ours", "theirs")


def _binary(data: bytes | None) -> bool:
    if data is None:
        return False
    if b"\x00" in data:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _cut_text(data: bytes, limit: int) -> str:
    return data[:limit].decode("utf-8", errors="ignore")


def describe(conflict: ConflictSides, limit: int = SIDE_LIMIT) -> dict[str, Any]:
    """``{path, base, ours, theirs, encoding, truncated}``; an absent side is null."""
    sides = [conflict.base, conflict.ours, conflict.theirs]
    binary = any(_binary(side) for side in sides)
    out: dict[str, Any] = {"path": conflict.path}
    truncated = False
    cut = limit * 3 // 4 if binary else limit  # base64 grows by a third
    for name, data in zip(_SIDES, sides, strict=True):
        if data is None:
            out[name] = None
            continue
        truncated = truncated or len(data) > cut
        if binary:
            out[name] = base64.b64encode(data[:cut]).decode()
        else:
            out[name] = _cut_text(data, limit)
    out["encoding"] = "base64" if binary else "utf-8"
    out["truncated"] = truncated
    return out


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode())


def fit_conflicts(conflicts: Sequence[ConflictSides], budget: int) -> dict[str, Any]:
    """``{conflicts, conflicts_total}`` within ``budget`` bytes of JSON.

    Sides are cut shorter (halving) until the list fits; if even empty sides do not fit,
    the list is cut and ``conflicts_total`` tells how many there are.
    """
    limit = SIDE_LIMIT
    while True:
        described = [describe(conflict, limit) for conflict in conflicts]
        if _size(described) <= budget or limit == 0:
            break
        limit = limit // 2 if limit > 64 else 0
    while described and _size(described) > budget:
        described.pop()
    return {"conflicts": described, "conflicts_total": len(conflicts)}
