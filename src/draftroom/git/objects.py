"""Plain value types the git engine takes and returns (no pygit2 objects leak out)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from draftroom.errors import InvalidInput

EntryType = Literal["file", "dir", "symlink", "submodule"]
FileStatus = Literal["added", "modified", "deleted", "renamed"]


@dataclass(frozen=True)
class Identity:
    """Author or committer of a commit."""

    name: str = "draftroom"
    email: str = "draftroom@localhost"


@dataclass(frozen=True)
class Change:
    """One path of a change set: write ``data`` or, with ``delete``, remove the path.

    ``executable`` None keeps the existing mode (a new file is a regular file).
    ``path_checked``: the caller ran ``validate_new_path`` (``validate_path`` for a delete)
    on ``path`` already (a tool input's ``NewPath``), so the engine does not run it again. Only set it for such a path: the
    engine trusts it to name a tree entry safely.
    """

    path: str
    data: bytes | None = None
    delete: bool = False
    executable: bool | None = None
    path_checked: bool = field(default=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        """An ambiguous change cannot be built, so no layer has to look for one."""
        if self.delete and (self.data is not None or self.executable is not None):
            raise InvalidInput(
                f"change to {self.path!r} both deletes and writes; pass one or the other",
                path=self.path,
            )
        if not self.delete and self.data is None and self.executable is None:
            raise InvalidInput(
                f"change to {self.path!r} does nothing; pass data, executable or delete",
                path=self.path,
            )
        if self.data is not None and not isinstance(self.data, bytes | bytearray):
            raise InvalidInput(f"data for {self.path!r} must be bytes", path=self.path)


@dataclass(frozen=True)
class Landed:
    """One path a stored commit changed against its first parent: the blob it now holds
    (``blob_id``, ``size``), or None for both when the commit deleted it."""

    path: str
    blob_id: str | None
    size: int | None


@dataclass(frozen=True)
class FileBlob:
    path: str
    data: bytes
    mode: int
    blob_id: str
    size: int

    @property
    def executable(self) -> bool:
        return self.mode == 0o100755


@dataclass(frozen=True)
class TreeEntry:
    path: str
    type: EntryType
    size: int | None
    mode: int
    oid: str


@dataclass(frozen=True)
class TreePage:
    entries: list[TreeEntry]
    next_cursor: str | None


@dataclass(frozen=True)
class CommitResult:
    sha: str
    branch: str
    parent: str
    files: list[str]
    rebased: bool = False


@dataclass(frozen=True)
class DiffFile:
    path: str
    status: FileStatus
    additions: int
    deletions: int
    binary: bool
    patch: str
    old_path: str | None = None


@dataclass(frozen=True)
class Diff:
    files: list[DiffFile]
    truncated: bool


@dataclass(frozen=True)
class LogEntry:
    sha: str
    parents: list[str]
    message: str
    summary: str
    author: Identity
    time: datetime
    trailers: dict[str, str]
    files: list[str]


@dataclass(frozen=True)
class LogPage:
    commits: list[LogEntry]
    next_cursor: str | None


@dataclass(frozen=True)
class MergePreview:
    base: str | None
    source_head: str
    target_head: str
    up_to_date: bool
    fast_forward: bool
    files: list[DiffFile]
    conflicts: list[str]


@dataclass(frozen=True)
class MergeResult:
    sha: str
    branch: str
    fast_forward: bool
    files: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ConflictSides:
    """One conflicting path of a three-way merge: each side's content, None where absent."""

    path: str
    base: bytes | None
    ours: bytes | None
    theirs: bytes | None


Resolver = Callable[[str, bytes | None, bytes | None, bytes | None], bytes | None]
"""Called per conflicting path with (path, base, ours, theirs).

Returned bytes resolve the conflict; None keeps it.
"""
