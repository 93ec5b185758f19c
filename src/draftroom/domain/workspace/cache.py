"""An LRU of parsed workspace files, keyed by git blob id, one per open repository
(``parse_cache(repo)``; ``Services`` opens each repository once per process).

A blob id names its content, so a parse never goes stale: each version of a workspace file
is parsed at most once per process. The cache also remembers, per repository and path, the
versions it parsed last, so a version that only appends to one of them is parsed by its
suffix alone. It must never hold a parse under an id whose content it was not made from.

Behind it, ``disk`` (``disk_cache.DiskParseCache``) keeps the parses of large versions for the
next process: ``put`` stores a version there once a restart would have to parse much of it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any

from draftroom.domain.workspace.disk_cache import DiskParseCache
from draftroom.errors import WorkspaceFileInvalid
from draftroom.git import Repository

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
    unsaved: int = 0
    """Bytes of this version a restarted process would parse as YAML: none when it is on
    disk, only the appended suffix when a version it extends is."""


def blob_id(data: bytes) -> str:
    """The id git gives a blob of ``data`` (SHA-1 object format)."""
    digest = hashlib.sha1(b"blob %d\x00" % len(data), usedforsecurity=False)
    digest.update(data)
    return digest.hexdigest()


def disk_record(parsed: Parsed) -> dict[str, Any] | None:
    """What the disk cache stores of a version: its entries as written, or why it is invalid."""
    if isinstance(parsed.error, WorkspaceFileInvalid):
        return {"error": {"message": parsed.error.message, "details": parsed.error.details}}
    if parsed.error is not None:
        return None
    return {"append_safe": parsed.append_safe, "items": [i.as_yaml() for i in parsed.items]}


class ParseCache:
    def __init__(
        self,
        max_entries: int = MAX_ENTRIES,
        max_bytes: int = MAX_BYTES,
        disk: DiskParseCache | None = None,
    ) -> None:
        self.disk = disk
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

    def put(self, repo: str, path: str, blob: str, parsed: Parsed) -> Parsed:
        """Cache ``parsed`` (``repo`` is the git dir); returns it as cached."""
        if self.disk is not None and parsed.unsaved >= self.disk.snapshot_bytes:
            record = disk_record(parsed)
            if record is not None:
                self.disk.save(repo, path, blob, len(parsed.data), record)
            # Saved or not (a read-only git dir), try again only after as much more text.
            parsed = replace(parsed, unsaved=0)
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
        return parsed

    def predecessors(self, repo: str, path: str) -> list[Parsed]:
        """Valid, append-safe versions of ``path`` in ``repo`` parsed lately, newest first."""
        with self._lock:
            blobs = list(self._recent.get((repo, path), ()))
            found = [self._entries.get((path, b)) for b in blobs]
        return [p for p in found if p is not None and p.error is None and p.append_safe]

    def clear(self) -> None:
        """Forget this process's parses (the disk cache stays, as after a restart)."""
        with self._lock:
            self._entries.clear()
            self._recent.clear()
            self._bytes = 0


def parse_cache(repo: Repository) -> ParseCache:
    """The parses of ``repo``'s workspace files, kept with the repository (no global)."""
    return repo.derived(ParseCache, lambda: ParseCache(disk=DiskParseCache()))
