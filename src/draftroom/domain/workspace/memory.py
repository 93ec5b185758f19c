"""Project memory: notes that outlive the conversation, kept in ``memory.yaml`` on the branch.

Entries are appended at the end of the file (oldest first) and queried newest first. An
add appends text and never re-serialises the entries already there.
"""

from __future__ import annotations

import secrets
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence, Set
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from draftroom.domain.access import SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.commits import LoggedCommit
from draftroom.domain.workspace.files import (
    MEMORY_FILE,
    Edit,
    after_cursor,
    cursor_at,
    read_list,
    write_workspace,
)
from draftroom.domain.workspace.formats import ItemProblem, YamlList, derived_id
from draftroom.domain.workspace.times import iso, now, parse_time
from draftroom.errors import NotFound
from draftroom.git import Repository

DEFAULT_KIND = "note"
MAX_TAG_COUNTS = 100
HUMAN_CHANGE = "human_change"
"""The kind of the entries draftroom writes for a commit a person made on ``main``."""
HUMAN_CHANGE_TOOL = "system.human_change"
"""The tool name those entries' commits and audit rows carry."""


@dataclass(frozen=True)
class MemoryEntry:
    id: str
    text: str
    kind: str = DEFAULT_KIND
    tags: tuple[str, ...] = ()
    at: datetime | None = None
    haystack: str = field(default="", compare=False, repr=False)

    def as_yaml(self) -> dict[str, Any]:
        item: dict[str, Any] = {"id": self.id}
        if self.at:
            item["at"] = iso(self.at)
        item["kind"] = self.kind
        if self.tags:
            item["tags"] = list(self.tags)
        item["text"] = self.text
        return item


def memory_entry(
    entry_id: str, text: str, kind: str, tags: tuple[str, ...], at: datetime | None
) -> MemoryEntry:
    haystack = " ".join([text, kind, *tags]).lower()
    return MemoryEntry(entry_id, text, kind, tags, at, haystack)


def _scalar(value: object, field_name: str) -> str:
    if isinstance(value, str | int | float | bool | datetime):
        return str(value)
    raise ItemProblem(f"{field_name} must be text, got a {type(value).__name__}")


def normalise_tags(tags: object) -> tuple[str, ...]:
    if tags is None or tags == "":
        return ()
    values = tags if isinstance(tags, list) else [tags]
    out: list[str] = []
    for tag in values:
        text = _scalar(tag, "a tag").strip().lower()
        if text and text not in out:
            out.append(text)
    return tuple(out)


def parse_memory_item(raw: Any) -> MemoryEntry:
    """A memory entry from a list item: a mapping with ``text``, or just a line of text."""
    if isinstance(raw, str):
        return memory_entry(derived_id("m", raw), raw, DEFAULT_KIND, (), None)
    if not isinstance(raw, dict):
        raise ItemProblem(
            f"each entry must be a mapping with 'text' (or a line of text), got {type(raw).__name__}"
        )
    if raw.get("text") is None:
        raise ItemProblem("this entry has no 'text'")
    text = _scalar(raw["text"], "text")
    at = parse_time(raw.get("at"), "at")
    kind = _scalar(raw.get("kind") or DEFAULT_KIND, "kind").strip().lower() or DEFAULT_KIND
    tags = normalise_tags(raw.get("tags"))
    entry_id = raw.get("id")
    if entry_id is None or entry_id == "":
        entry_id = derived_id("m", text, iso(at))
    entry_id = _scalar(entry_id, "id").strip()
    if entry_id.split() != [entry_id] or len(entry_id) > 64:
        raise ItemProblem(f"id {entry_id!r} must be one word of at most 64 characters")
    return memory_entry(entry_id, text, kind, tags, at)


MEMORY = YamlList(MEMORY_FILE, parse_memory_item)


def memory_entries(repo: Repository, ref: str) -> tuple[MemoryEntry, ...]:
    """Every entry of ``memory.yaml`` at ``ref``, oldest first (none when it is absent)."""
    return read_list(repo, ref, MEMORY).items


@dataclass(frozen=True)
class MemoryIndex:
    """What a query scans, built once per version of the file: flat lists, no objects."""

    entries: tuple[MemoryEntry, ...]
    haystacks: list[str]
    times: list[datetime | None]
    by_tag: dict[str, list[int]]


def memory_index(repo: Repository, ref: str) -> MemoryIndex:
    parsed = read_list(repo, ref, MEMORY)
    index = parsed.memo.get("search")
    if index is None:
        entries: tuple[MemoryEntry, ...] = parsed.items
        by_tag: dict[str, list[int]] = {}
        for position, entry in enumerate(entries):
            for tag in entry.tags:
                by_tag.setdefault(tag, []).append(position)
        index = MemoryIndex(entries, [e.haystack for e in entries], [e.at for e in entries], by_tag)
        parsed.memo["search"] = index
    return cast(MemoryIndex, index)


def new_id(prefix: str, taken: Set[str]) -> str:
    while True:
        candidate = f"{prefix}-{secrets.token_hex(4)}"
        if candidate not in taken:
            return candidate


def add_memory(
    call: Call, access: SandboxAccess, text: str, tags: list[str], kind: str | None
) -> tuple[LoggedCommit, MemoryEntry]:
    def build(head: str) -> Edit[MemoryEntry]:
        parsed = read_list(access.repo, head, MEMORY)
        entry = memory_entry(
            new_id("m", parsed.ids),
            text,
            (kind or DEFAULT_KIND).lower(),
            normalise_tags(tags),
            now(),
        )
        updated = MEMORY.append(parsed, entry)
        message = f"Remember {entry.id}: {_summary(text)}"
        return Edit([(MEMORY_FILE, updated)], message, entry, old={MEMORY_FILE: parsed.data})

    return write_workspace(call, access, build)


class _NothingNew(Exception):
    """Every entry is in the file already."""


def add_memory_entries(
    call: Call, access: SandboxAccess, entries: Sequence[MemoryEntry], message: str
) -> LoggedCommit | None:
    """Append the ``entries`` whose ids the file lacks, as one commit; None if it has them all.

    For entries draftroom itself writes (their ids chosen so a second write is a no-op).
    """

    def build(head: str) -> Edit[None]:
        parsed = read_list(access.repo, head, MEMORY)
        taken = parsed.ids | {entry.id for entry in parsed.items}
        fresh = [entry for entry in entries if entry.id not in taken]
        if not fresh:
            raise _NothingNew
        updated = parsed
        for entry in fresh:
            updated = MEMORY.append(updated, entry)
        return Edit([(MEMORY_FILE, updated)], message, None, old={MEMORY_FILE: parsed.data})

    try:
        return write_workspace(call, access, build)[0]
    except _NothingNew:
        return None


def delete_memory(call: Call, access: SandboxAccess, entry_id: str) -> LoggedCommit:
    def build(head: str) -> Edit[None]:
        parsed = read_list(access.repo, head, MEMORY)
        index = next((i for i, e in enumerate(parsed.items) if e.id == entry_id), None)
        if index is None:
            raise NotFound(f"no memory entry {entry_id!r}; find ids with memory.query", id=entry_id)
        updated = MEMORY.replace(parsed, index, None)
        return Edit([(MEMORY_FILE, updated)], f"Forget {entry_id}", None)

    return write_workspace(call, access, build)[0]


@dataclass(frozen=True)
class MemoryPage:
    items: list[MemoryEntry]
    next_cursor: str | None
    total: int


def query_memory(
    index: MemoryIndex,
    *,
    q: str | None,
    tags: list[str],
    since: datetime | None,
    cursor: str | None,
    limit: int,
) -> MemoryPage:
    """Newest first; every word of ``q`` must occur in the text, kind or tags (any case)."""
    entries = index.entries
    matching: Sequence[int] = range(len(entries))
    for tag in normalise_tags(tags):
        tagged = set(index.by_tag.get(tag, ()))
        matching = [i for i in matching if i in tagged]
    for word in (q or "").lower().split():
        hays = index.haystacks
        matching = [i for i in matching if word in hays[i]]
    if since is not None:
        times = index.times
        matching = [i for i in matching if (at := times[i]) is not None and at >= since]
    order = after_cursor(entries, cursor, newest_first=True)
    # ``order`` counts down from just below the cursor; matching is ascending.
    end = bisect_right(matching, order.start) if len(order) else 0
    chosen = [matching[i] for i in range(end - 1, max(end - 1 - limit, -1), -1)]
    more = end - len(chosen) > 0
    next_cursor = cursor_at(entries, chosen[-1]) if more and chosen else None
    return MemoryPage([entries[i] for i in chosen], next_cursor, len(matching))


@dataclass(frozen=True)
class MemoryStats:
    total: int
    by_kind: dict[str, int]
    by_tag: dict[str, int]
    first_at: datetime | None
    last_at: datetime | None


def memory_stats(entries: tuple[MemoryEntry, ...]) -> MemoryStats:
    kinds = Counter(e.kind for e in entries)
    tags = Counter(t for e in entries for t in e.tags)
    times = [e.at for e in entries if e.at is not None]
    return MemoryStats(
        total=len(entries),
        by_kind=dict(kinds.most_common()),
        by_tag=dict(tags.most_common(MAX_TAG_COUNTS)),
        first_at=min(times) if times else None,
        last_at=max(times) if times else None,
    )


def _summary(text: str, width: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"
