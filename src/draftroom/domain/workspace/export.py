"""The sandbox's trace as JSON records, in pages: reasoning, tasks, rollbacks, then changes.

A cursor names the section and the last record returned in it, so pages neither repeat nor
skip a record while the workspace grows. Long texts are cut (and flagged) so any one
record stays far below the answer budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from draftroom.domain.commits import own_commits, own_rollbacks
from draftroom.domain.workspace.files import after_cursor, cursor_at
from draftroom.domain.workspace.reasoning import reasoning_entries
from draftroom.domain.workspace.tasks import tasks_of
from draftroom.errors import InvalidInput
from draftroom.git import Repository

RecordType = Literal["reasoning", "task", "rollback", "change"]
SECTIONS: tuple[RecordType, ...] = ("reasoning", "task", "rollback", "change")
TEXT_CHARS = 8_000
FILES_PER_CHANGE = 20
SECTION_START = "-"
"""A cursor's record part meaning 'from the first record of the section'."""


@dataclass(frozen=True)
class Record:
    type: RecordType
    data: dict[str, Any]


@dataclass(frozen=True)
class ExportPage:
    records: list[Record]
    next_cursor: str | None


def _cut(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, str) and len(value) > TEXT_CHARS:
            out[key] = value[:TEXT_CHARS]
            out["truncated"] = True
        else:
            out[key] = value
    return out


def _parse_cursor(cursor: str | None) -> tuple[int, str | None]:
    if cursor is None:
        return 0, None
    section, _, inner = cursor.partition("/")
    if section not in SECTIONS or not inner:
        raise InvalidInput(
            f"cursor {cursor!r} is not one system.export returned; start again without one"
        )
    return SECTIONS.index(section), None if inner == SECTION_START else inner


def export_page(
    repo: Repository, head: str, cursor: str | None, limit: int, branch: str
) -> ExportPage:
    """Up to ``limit`` records of sandbox ``branch`` after ``cursor``; changes and rollbacks
    are its own, never those merged in from ``main``."""
    start, inner = _parse_cursor(cursor)
    records: list[Record] = []
    for number in range(start, len(SECTIONS)):
        section = SECTIONS[number]
        room = limit - len(records)
        if room == 0:
            return ExportPage(records, f"{section}/{SECTION_START}")
        within = inner if number == start else None
        got, last = _section(repo, head, branch, section, within, room + 1)
        if len(got) > room:
            records.extend(got[:room])
            return ExportPage(records, f"{section}/{last[room - 1]}")
        records.extend(got)
    return ExportPage(records, None)


def _section(
    repo: Repository, head: str, branch: str, section: RecordType, cursor: str | None, limit: int
) -> tuple[list[Record], list[str]]:
    """Records of one section after ``cursor`` and, for each, the cursor that points at it."""
    if section == "change":
        commits = own_commits(repo, head, branch, limit, cursor)
        return [
            Record(
                "change",
                _cut(
                    {
                        "sha": c.sha,
                        "at": c.time.isoformat(),
                        "tool": c.trailers.get("Draftroom-Tool"),
                        "message": c.message,
                        "files": c.files[:FILES_PER_CHANGE],
                        "files_total": len(c.files),
                    }
                ),
            )
            for c in commits
        ], [c.sha for c in commits]
    if section == "rollback":
        rollbacks = own_rollbacks(repo, head, branch)
        first = int(cursor) + 1 if cursor and cursor.isdigit() else 0
        chosen = list(range(first, min(len(rollbacks), first + limit)))
        return [Record("rollback", _cut(dict(rollbacks[i]))) for i in chosen], [
            str(i) for i in chosen
        ]
    items: tuple[Any, ...] = (
        reasoning_entries(repo, head) if section == "reasoning" else tasks_of(repo, head)
    )
    indices = list(after_cursor(items, cursor, newest_first=False))[:limit]
    return [Record(section, _cut(items[i].as_yaml())) for i in indices], [
        cursor_at(items, i) for i in indices
    ]
