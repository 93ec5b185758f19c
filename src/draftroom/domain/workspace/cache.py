"""A process-wide LRU of parsed workspace files, keyed by git blob id.

A blob id names its content, so a parse never goes stale: each version of a workspace file
is parsed at most once per process. The cache also remembers, per repository and path, the
versions it parsed last, so a version that only appends to one of them is parsed by its
suffix alone. It must never hold a parse under an id whose content it was not made from.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

MAX_ENTRIES = 128
MAX_BYTES = 128 * 1024 * 1024
RECENT_PER_PATH = 4


@dataclass(frozen=True)
class Parsed:
    """One version of a workspace file: its bytes and either its items or why it is invalid.

    ``append_safe`` says a block item appended at its end keeps it a valid list whose items
    are these plus the new one (see ``formats.append_safe``).
    """

    data: bytes
    items: tuple[Any, ...]
    append_safe: bool
    error: Exception | None = None
    ids: frozenset[str] = field(default=frozenset(), repr=False)
    """The ids of ``items``, so a new id is checked for uniqueness without a scan."""
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Structures derived from ``items`` (a search index), built once per version."""


def blob_id(data: bytes) -> str:
    """The id git gives a blob of ``data`` (SHA-1 object format)."""
    digest = hashlib.sha1(b"blob %d\x00" % len(data), usedforsecurity=False)
    digest.update(data)
    return digest.hexdigest()


class ParseCache:
    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self._entries: OrderedDict[tuple[str, str], Parsed] = OrderedDict()
        self._recent: dict[tuple[str, str], list[str]] = {}
        self._bytes = 0
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._lock = threading.Lock()

    def get(self, path: str, blob: str) -> Parsed | None:
        with self._lock:
            parsed = self._entries.get((path, blob))
            if parsed is not None:
                self._entries.move_to_end((path, blob))
            return parsed

    def put(self, repo: str, path: str, blob: str, parsed: Parsed) -> None:
        with self._lock:
            key = (path, blob)
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.data)
            self._entries[key] = parsed
            self._bytes += len(parsed.data)
            recent = self._recent.setdefault((repo, path), [])
            if blob in recent:
                recent.remove(blob)
            recent.insert(0, blob)
            del recent[RECENT_PER_PATH:]
            while self._entries and (
                len(self._entries) > self._max_entries or self._bytes > self._max_bytes
            ):
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.data)

    def predecessors(self, repo: str, path: str) -> list[Parsed]:
        """Valid, append-safe versions of ``path`` in ``repo`` parsed lately, newest first."""
        with self._lock:
            blobs = list(self._recent.get((repo, path), ()))
            found = [self._entries.get((path, b)) for b in blobs]
        return [p for p in found if p is not None and p.error is None and p.append_safe]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._recent.clear()
            self._bytes = 0


parse_cache = ParseCache()
"""The one cache every request in this process shares."""
