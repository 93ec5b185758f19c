"""Parses of large workspace files kept on disk, so a restarted process need not parse again.

Derived data only. Each file holds the entries of one version of one workspace file, named by
its blob id (``<gitdir>/draftroom/parse-cache/<path>.<size>.<blob>.json``): a blob id names
its content, so a stored parse can never be stale, and the content itself is still read from
git, which stays the source of truth. Files are written atomically (a temporary file, then a
rename), so every process using the repository may share them; the directory is bounded in
files and bytes, the least recently used (by mtime) going first. A missing, unreadable or
corrupt file is a miss and the caller parses: nothing here may ever raise to a request.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

VERSION = 1
"""Bump when what ``parse_item`` makes of an entry changes: older files are then ignored."""
MAX_FILES = 64
MAX_BYTES = 256 * 1024 * 1024
SNAPSHOT_BYTES = 32 * 1024
"""Store a version once a restarted process would otherwise parse this much YAML of it
(about 200 memory entries, a few tens of milliseconds)."""
PREFIX_CANDIDATES = 4
STALE_TEMP_SECONDS = 3600
_SUFFIX = ".json"
_TEMP = ".tmp-"


class DiskParseCache:
    """Records (JSON objects) of parsed versions, one file each, per repository."""

    def __init__(
        self,
        max_files: int = MAX_FILES,
        max_bytes: int = MAX_BYTES,
        snapshot_bytes: int = SNAPSHOT_BYTES,
    ) -> None:
        self.max_files = max_files
        self.max_bytes = max_bytes
        self.snapshot_bytes = snapshot_bytes

    def load(self, gitdir: str, path: str, blob: str, size: int) -> dict[str, Any] | None:
        """The stored record of ``path`` at ``blob`` (``size`` bytes), or None."""
        file = directory(gitdir) / file_name(path, size, blob)
        try:
            record = json.loads(file.read_bytes())
            os.utime(file)  # Recently used: evicted last.
        except (OSError, ValueError):
            return None
        if not (
            isinstance(record, dict)
            and record.get("version") == VERSION
            and record.get("path") == path
            and record.get("blob") == blob
            and record.get("size") == size
        ):
            return None
        return record

    def prefixes(self, gitdir: str, path: str, below: int) -> list[tuple[str, int]]:
        """(blob, size) of stored versions of ``path`` shorter than ``below`` bytes, longest
        first: the candidates a version of ``below`` bytes may extend (the caller checks)."""
        found: list[tuple[int, str]] = []
        for name in names(gitdir):
            parts = split_name(name)
            if parts is not None and parts[0] == path and parts[1] < below:
                found.append((parts[1], parts[2]))
        return [(blob, size) for size, blob in sorted(found, reverse=True)[:PREFIX_CANDIDATES]]

    def save(self, gitdir: str, path: str, blob: str, size: int, record: dict[str, Any]) -> bool:
        """Store ``record`` as the parse of ``path`` at ``blob``; False when it was not."""
        folder = directory(gitdir)
        header = {"version": VERSION, "path": path, "blob": blob, "size": size}
        try:
            body = json.dumps({**header, **record}, ensure_ascii=False, separators=(",", ":"))
            folder.mkdir(parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=_TEMP, dir=folder)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(body.encode("utf-8"))
                os.replace(temp, folder / file_name(path, size, blob))
            except BaseException:
                _remove(Path(temp))
                raise
        except (OSError, TypeError, ValueError):
            return False
        self.evict(gitdir)
        return True

    def evict(self, gitdir: str) -> None:
        """Remove the least recently used files beyond the bounds, and abandoned temp files."""
        folder = directory(gitdir)
        kept: list[tuple[float, int, str]] = []
        for name in names(gitdir, temporary=True):
            try:
                stat = (folder / name).stat()
            except OSError:
                continue
            if name.startswith(_TEMP):
                if stat.st_mtime < time.time() - STALE_TEMP_SECONDS:
                    _remove(folder / name)
            else:
                kept.append((stat.st_mtime, stat.st_size, name))
        kept.sort(reverse=True)
        total = 0
        for count, (_, size, name) in enumerate(kept, start=1):
            total += size
            if count > self.max_files or total > self.max_bytes:
                _remove(folder / name)


def directory(gitdir: str) -> Path:
    return Path(gitdir) / "draftroom" / "parse-cache"


def file_name(path: str, size: int, blob: str) -> str:
    return f"{quote(path, safe='')}.{size}.{blob}{_SUFFIX}"


def split_name(name: str) -> tuple[str, int, str] | None:
    """(path, size, blob) from a name ``file_name`` made, None for any other name."""
    if not name.endswith(_SUFFIX) or name.startswith(_TEMP):
        return None
    parts = name[: -len(_SUFFIX)].rsplit(".", 2)
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[2]) != 40:
        return None
    return unquote(parts[0]), int(parts[1]), parts[2]


def names(gitdir: str, *, temporary: bool = False) -> list[str]:
    try:
        found = os.listdir(directory(gitdir))
    except OSError:
        return []
    return found if temporary else [n for n in found if not n.startswith(_TEMP)]


def _remove(file: Path) -> None:
    with contextlib.suppress(OSError):  # Another process removed it first.
        file.unlink()
