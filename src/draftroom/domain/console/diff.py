"""A file's patch as the console shows it: hunks split into classed lines (added, removed,
context), the ``diff --git``/``---``/``+++`` header left out. Shared by the sandbox page and
the merge request page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from draftroom.git import DiffFile

LineKind = Literal["add", "del", "hunk", "context"]


@dataclass(frozen=True)
class DiffLine:
    kind: LineKind
    text: str


@dataclass(frozen=True)
class FileDiff:
    path: str
    old_path: str | None
    status: str
    additions: int
    deletions: int
    binary: bool
    lines: list[DiffLine]
    left_out: bool
    """Its text was left out (past the page's patch budget) though it changed lines."""


def patch_lines(patch: str) -> list[DiffLine]:
    """A unified patch's hunks as classed lines."""
    lines: list[DiffLine] = []
    for text in patch.splitlines():
        if text.startswith("@@"):
            lines.append(DiffLine("hunk", text))
        elif not lines:
            continue  # header: diff --git, index, ---, +++
        elif text.startswith("+"):
            lines.append(DiffLine("add", text))
        elif text.startswith("-"):
            lines.append(DiffLine("del", text))
        else:
            lines.append(DiffLine("context", text))
    return lines


def file_diff(found: DiffFile) -> FileDiff:
    lines = patch_lines(found.patch)
    return FileDiff(
        path=found.path,
        old_path=found.old_path,
        status=found.status,
        additions=found.additions,
        deletions=found.deletions,
        binary=found.binary,
        lines=lines,
        left_out=not found.binary and not lines and (found.additions + found.deletions) > 0,
    )
