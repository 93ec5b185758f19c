"""Reading workspace files at a commit through the parse cache, and writing them as commits.

Each write reads the file at head H, edits it, and commits with ``expected_head=H``; when
another write touched the same file in between, the commit is refused (``StaleHead``) and
the edit is made again on the new head (``on_fresh_head``), so concurrent writes never lose
one another. What the edit read is handed to the commit checks, so a write reads each file
once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from draftroom.domain.access import SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.commits import LoggedCommit, commit_and_log, on_fresh_head
from draftroom.domain.workspace.cache import Parsed, blob_id, parse_cache
from draftroom.domain.workspace.formats import HasId, YamlList
from draftroom.errors import InvalidInput, WorkspaceFileInvalid
from draftroom.git import Change, Repository

MEMORY_FILE = "memory.yaml"
TASKS_FILE = "task.yaml"
TRACE_FILE = "reasoning_trace.md"
WORKSPACE_FILES = (MEMORY_FILE, TASKS_FILE, TRACE_FILE)

EMPTY = Parsed(b"", (), append_safe=True)
R = TypeVar("R")
T = TypeVar("T", bound=HasId)


def blob_at(repo: Repository, ref: str, path: str) -> str | None:
    """The blob id of top-level file ``path`` at ``ref`` without reading the blob's content."""
    # list_tree's cursor is exclusive: start just before ``path`` so it is the first entry.
    before = path[:-1] + chr(ord(path[-1]) - 1) + "\U0010ffff"
    page = repo.list_tree(ref, "", cursor=before, limit=1)
    if page.entries and page.entries[0].path == path and page.entries[0].type == "file":
        return page.entries[0].oid
    return None


def read_parsed(
    repo: Repository, ref: str, path: str, parse: Callable[[str, str, bytes], Parsed]
) -> Parsed:
    """The parse of ``path`` at ``ref`` (``EMPTY`` when absent), at most once per blob id;
    ``parse(gitdir, blob, data)`` makes it.

    Raises ``WorkspaceFileInvalid`` when the file does not parse.
    """
    blob = blob_at(repo, ref, path)
    if blob is None:
        return EMPTY
    cache = parse_cache(repo)
    parsed = cache.get(path, blob)
    if parsed is None:
        data = repo.read_file(ref, path).data
        parsed = parse(str(repo.path), blob, data)
        parsed = cache.put(str(repo.path), path, blob, parsed)
    if isinstance(parsed.error, WorkspaceFileInvalid):
        # A fresh exception each time: the cached one must not collect tracebacks.
        raise WorkspaceFileInvalid(parsed.error.message, **parsed.error.details)
    return parsed


def read_list(repo: Repository, ref: str, fmt: YamlList[T]) -> Parsed:
    return read_parsed(
        repo, ref, fmt.path, lambda key, blob, data: fmt.parse(parse_cache(repo), key, data, blob)
    )


@dataclass(frozen=True)
class Edit(Generic[R]):
    """What one attempt of a workspace write produced: new file versions and a result."""

    files: Sequence[tuple[str, Parsed]]
    message: str
    result: R
    old: Mapping[str, bytes] = field(default_factory=dict)
    """What the edit read of ``files`` at the head (``b''`` when absent), for the checks."""
    extra: Sequence[Change] = ()
    """Other files the same commit writes (a template's), outside the parse cache."""


def write_workspace(
    call: Call, access: SandboxAccess, build: Callable[[str], Edit[R]]
) -> tuple[LoggedCommit, R]:
    """Run ``build(head)`` and commit its files as one audited commit, again on a race."""

    def attempt(head: str) -> tuple[LoggedCommit, R]:
        edit = build(head)
        changes = [Change(path, parsed.data) for path, parsed in edit.files]
        changes += edit.extra
        logged = commit_and_log(
            call, access, changes, edit.message, expected_head=head, old=edit.old
        )
        for path, parsed in edit.files:
            parse_cache(access.repo).put(str(access.repo.path), path, blob_id(parsed.data), parsed)
        return logged, edit.result

    return on_fresh_head(access, attempt)


def after_cursor(items: Sequence[Any], cursor: str | None, *, newest_first: bool) -> range:
    """Indices of ``items`` a page continues with after ``cursor`` (``'<index>:<id>'``).

    The cursor names the last entry returned; entries appended since come after the old ones
    and do not shift them, so a page neither repeats nor skips one. When that entry was
    deleted meanwhile, its index says where to go on.
    """
    if cursor is None:
        return range(len(items) - 1, -1, -1) if newest_first else range(len(items))
    index_text, _, entry_id = cursor.partition(":")
    if not index_text.isdigit() or not entry_id:
        raise InvalidInput(
            f"cursor {cursor!r} is not one this tool returned; start again without a cursor"
        )
    index, found = int(index_text), False
    if index < len(items) and items[index].id == entry_id:
        found = True
    else:
        for position, item in enumerate(items):
            if item.id == entry_id:
                index, found = position, True
                break
    index = min(index, len(items))
    if newest_first:
        return range(index - 1, -1, -1)
    return range(index + 1 if found else index, len(items))


def cursor_at(items: Sequence[Any], index: int) -> str:
    return f"{index}:{items[index].id}"
