"""The reasoning trace: thoughts, decisions and questions in ``reasoning_trace.md``.

A markdown file a person can read top to bottom: a preamble, then one ``## <time> · <kind> ·
<id>`` section per entry, oldest first. Entries are only ever appended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from draftroom.domain.access import SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.commits import LoggedCommit
from draftroom.domain.workspace.cache import Parsed
from draftroom.domain.workspace.files import (
    TRACE_FILE,
    Edit,
    after_cursor,
    cursor_at,
    read_parsed,
    write_workspace,
)
from draftroom.domain.workspace.formats import ItemProblem, derived_id, invalid
from draftroom.domain.workspace.memory import new_id
from draftroom.domain.workspace.times import iso, now, parse_time
from draftroom.domain.workspace.trace_format import parse_trace, trace_block
from draftroom.errors import WorkspaceFileInvalid
from draftroom.git import Repository

Kind = Literal["thought", "decision", "question"]
KINDS: tuple[Kind, ...] = get_args(Kind)


@dataclass(frozen=True)
class ReasoningEntry:
    id: str
    at: datetime | None
    kind: Kind
    text: str

    def as_yaml(self) -> dict[str, Any]:
        return {"id": self.id, "at": iso(self.at), "kind": self.kind, "text": self.text}


def trace_preamble(project_name: str | None) -> bytes:
    title = f"# Reasoning trace: {project_name}" if project_name else "# Reasoning trace"
    return (
        f"{title}\n\n"
        "Thoughts, decisions and questions, oldest first, written by draftroom's "
        "reasoning.log.\nYou may add entries by hand: a heading "
        "`## <UTC time> · <thought|decision|question> · <id>`\n(id optional) followed by "
        "the text. See docs/workspace.md.\n"
    ).encode()


def parse_trace_file(_repo_key: str, _blob: str, data: bytes) -> Parsed:
    try:
        _, blocks = parse_trace(TRACE_FILE, data)
        entries: list[ReasoningEntry] = []
        seen: set[str] = set()
        for block in blocks:
            kind = block.kind.lower()
            if kind not in KINDS:
                raise invalid(
                    TRACE_FILE, block.line, f"kind {block.kind!r} is not one of {', '.join(KINDS)}"
                )
            try:
                at = parse_time(block.at, "the time")
            except ItemProblem as exc:
                raise invalid(TRACE_FILE, block.line, str(exc)) from None
            entry_id = block.id or derived_id("r", block.at, kind, block.body)
            if entry_id in seen:
                raise invalid(
                    TRACE_FILE,
                    block.line,
                    f"id {entry_id!r} is used twice; give this entry another",
                )
            seen.add(entry_id)
            entries.append(ReasoningEntry(entry_id, at, kind, block.body))
    except WorkspaceFileInvalid as exc:
        return Parsed(data, (), append_safe=False, error=exc)
    return Parsed(data, tuple(entries), append_safe=True, ids=frozenset(seen))


def reasoning_entries(repo: Repository, ref: str) -> tuple[ReasoningEntry, ...]:
    return read_parsed(repo, ref, TRACE_FILE, parse_trace_file).items


def log_reasoning(
    call: Call, access: SandboxAccess, text: str, kind: Kind
) -> tuple[LoggedCommit, ReasoningEntry]:
    def build(head: str) -> Edit[ReasoningEntry]:
        parsed = read_parsed(access.repo, head, TRACE_FILE, parse_trace_file)
        entry = ReasoningEntry(new_id("r", parsed.ids), now(), kind, text.strip())
        data = parsed.data or trace_preamble(None)
        if not data.endswith(b"\n"):
            data += b"\n"
        data += trace_block(iso(entry.at) or "", kind, entry.id, entry.text)
        ids = parsed.ids | {entry.id}
        updated = Parsed(data, (*parsed.items, entry), append_safe=True, ids=ids)
        return Edit(
            [(TRACE_FILE, updated)], f"Log {kind} {entry.id}", entry, {TRACE_FILE: parsed.data}
        )

    return write_workspace(call, access, build)


@dataclass(frozen=True)
class ReasoningPage:
    items: list[ReasoningEntry]
    next_cursor: str | None
    total: int


def read_reasoning(
    entries: tuple[ReasoningEntry, ...], cursor: str | None, limit: int
) -> ReasoningPage:
    """Newest first."""
    page: list[ReasoningEntry] = []
    next_cursor = None
    last = -1
    for index in after_cursor(entries, cursor, newest_first=True):
        if len(page) == limit:
            next_cursor = cursor_at(entries, last)
            break
        page.append(entries[index])
        last = index
    return ReasoningPage(page, next_cursor, len(entries))
