"""``Reading``: the read half of ``Repository``: files, trees, sizes, diffs, history and
merge previews. Must never write an object or move a ref.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import pygit2
from pygit2.enums import FileMode, SortMode

from draftroom.errors import CommitNotFound, InvalidInput, PathNotFound, RefNotFound
from draftroom.git import merge
from draftroom.git.diff import diff_trees
from draftroom.git.handle import Handle
from draftroom.git.log import log, log_entry
from draftroom.git.objects import (
    ConflictSides,
    Diff,
    EntryType,
    FileBlob,
    Landed,
    LogEntry,
    LogPage,
    MergePreview,
    TreeEntry,
    TreePage,
)
from draftroom.git.paths import validate_path
from draftroom.git.refs import branch_head, resolve_commit
from draftroom.git.trees import changed_paths, entry

MAX_TREE_LIMIT = 1000
_ENTRY_TYPES: dict[int, EntryType] = {
    FileMode.TREE: "dir",
    FileMode.LINK: "symlink",
    FileMode.COMMIT: "submodule",
}


class Reading(Handle):
    def read_file(self, ref: str, path: str, *, checked: bool = False) -> FileBlob:
        """The file at ``path``; ``checked``: the caller validated ``path`` (see ``Change``)."""
        if not checked:
            validate_path(path)
        obj = entry(resolve_commit(self._repo, ref).tree, path)
        if not isinstance(obj, pygit2.Blob):
            what = "is a directory; use list_tree" if obj is not None else "does not exist"
            raise PathNotFound(f"{path!r} {what} at {ref!r}", path=path, ref=ref)
        return FileBlob(
            path=path, data=obj.data, mode=int(obj.filemode), blob_id=str(obj.id), size=obj.size
        )

    def list_tree(
        self,
        ref: str,
        path: str = "",
        *,
        recursive: bool = False,
        cursor: str | None = None,
        limit: int = 200,
    ) -> TreePage:
        """Entries under ``path`` sorted by path; the cursor is the last path returned."""
        if not 1 <= limit <= MAX_TREE_LIMIT:
            raise InvalidInput(f"limit must be between 1 and {MAX_TREE_LIMIT}, got {limit}")
        tree: pygit2.Object | None = resolve_commit(self._repo, ref).tree
        if path:
            validate_path(path)
            tree = entry(tree, path) if isinstance(tree, pygit2.Tree) else None
        if not isinstance(tree, pygit2.Tree):
            what = "is a file; use read_file" if tree is not None else "does not exist"
            raise PathNotFound(f"directory {path!r} {what} at {ref!r}", path=path, ref=ref)
        found: list[tuple[str, pygit2.Object]] = []
        _walk(tree, path + "/" if path else "", recursive, found)
        found.sort(key=lambda item: item[0])
        start = bisect.bisect_right([p for p, _ in found], cursor) if cursor is not None else 0
        page = found[start : start + limit]
        more = start + limit < len(found)
        entries = [self._tree_entry(p, obj) for p, obj in page]
        return TreePage(entries=entries, next_cursor=entries[-1].path if more else None)

    def _tree_entry(self, path: str, obj: pygit2.Object) -> TreeEntry:
        mode = int(obj.filemode)
        kind = _ENTRY_TYPES.get(mode, "file")
        size = None
        if kind in ("file", "symlink"):
            size = int(self._repo.odb.read_header(obj.id)[1])
        return TreeEntry(path=path, type=kind, size=size, mode=mode, oid=str(obj.id))

    def tree_size(self, ref: str) -> int:
        """Total bytes of the files at ``ref`` (cached per tree oid, so cheap per commit)."""
        return self._sizes.size(self._repo, resolve_commit(self._repo, ref).tree)

    def file_size(self, ref: str, path: str, *, checked: bool = False) -> int | None:
        """Size of the file at ``path`` in ``ref`` from its header; None if there is none."""
        if not checked:
            validate_path(path)
        obj = entry(resolve_commit(self._repo, ref).tree, path)
        if not isinstance(obj, pygit2.Blob):
            return None
        return int(self._repo.odb.read_header(obj.id)[1])

    def diff(
        self,
        from_ref: str,
        to_ref: str,
        *,
        max_patch_bytes: int = 48_000,
        paths: Sequence[str] | None = None,
        exclude: Sequence[str] = (),
    ) -> Diff:
        if paths is not None:
            paths = [validate_path(p) for p in paths]
        old = resolve_commit(self._repo, from_ref).tree
        new = resolve_commit(self._repo, to_ref).tree
        return diff_trees(old, new, max_patch_bytes=max_patch_bytes, paths=paths, exclude=exclude)

    def log(
        self,
        ref: str,
        *,
        path: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
        first_parent: bool = False,
    ) -> LogPage:
        if path is not None:
            validate_path(path)
        head = resolve_commit(self._repo, ref)
        return log(
            self._repo, head, path=path, cursor=cursor, limit=limit, first_parent=first_parent
        )

    def commits_between(self, old: str, new: str, limit: int = 100) -> list[LogEntry]:
        """Commits reachable from ``new`` but not from ``old``, oldest first (at most
        ``limit``: the newest ones when there are more)."""
        walker = self._repo.walk(
            resolve_commit(self._repo, new).id, SortMode.TOPOLOGICAL | SortMode.TIME
        )
        walker.hide(resolve_commit(self._repo, old).id)
        found: list[LogEntry] = []
        for commit in walker:
            if len(found) == limit:
                break
            found.append(log_entry(commit))
        return found[::-1]

    def merge_base(self, one: str, other: str) -> str | None:
        """The best common ancestor of two commits; None when they share no history."""
        base = self._repo.merge_base(
            resolve_commit(self._repo, one).id, resolve_commit(self._repo, other).id
        )
        return None if base is None else str(base)

    def commit_files(self, sha: str) -> list[str]:
        """Paths changed by commit ``sha`` against its first parent."""
        try:
            commit = resolve_commit(self._repo, sha)
        except RefNotFound:
            raise CommitNotFound(f"commit {sha!r} not found", sha=sha) from None
        parent = commit.parents[0].tree if commit.parents else None
        return changed_paths(parent, commit.tree)

    def changed_files(self, from_ref: str, to_ref: str) -> list[str]:
        """Paths of files that differ between two commits' trees (no patch text), sorted."""
        old = resolve_commit(self._repo, from_ref).tree
        new = resolve_commit(self._repo, to_ref).tree
        return changed_paths(old, new)

    def landed(self, sha: str) -> list[Landed]:
        """What the stored commit ``sha`` changed against its first parent, path by path:
        read back from the object database, so a caller can verify what was written."""
        commit = resolve_commit(self._repo, sha)
        parent = commit.parents[0].tree if commit.parents else None
        out = []
        for path in changed_paths(parent, commit.tree):
            obj = entry(commit.tree, path)
            if isinstance(obj, pygit2.Blob):
                out.append(Landed(path, str(obj.id), obj.size))
            else:
                out.append(Landed(path, None, None))
        return out

    def merge_preview(self, source_ref: str, target_branch: str) -> MergePreview:
        target = branch_head(self._repo, target_branch)
        source = resolve_commit(self._repo, source_ref)
        return merge.merge_preview(self._repo, source, target)

    def conflict_sides(self, source_ref: str, target_branch: str) -> list[ConflictSides]:
        """Each path merging ``source_ref`` into ``target_branch`` would conflict on."""
        target = branch_head(self._repo, target_branch)
        source = resolve_commit(self._repo, source_ref)
        return merge.conflict_sides(self._repo, source, target)


def _walk(
    tree: pygit2.Tree, prefix: str, recursive: bool, out: list[tuple[str, pygit2.Object]]
) -> None:
    for obj in tree:
        path = prefix + str(obj.name)
        out.append((path, obj))
        if recursive and isinstance(obj, pygit2.Tree):
            _walk(obj, path + "/", recursive, out)
