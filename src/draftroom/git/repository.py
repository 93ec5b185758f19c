"""``Repository``: the git engine's one entry point for a repository on disk.

Writes only objects and refs under the git directory (plus our lock files under
``<gitdir>/draftroom/``): never the working tree, the index, or a checked-out branch.
Safe to share across threads: each thread gets its own ``pygit2.Repository`` because
libgit2 objects must not be shared between threads.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import pygit2
from pygit2.enums import FileMode, Option, RepositoryOpenFlag

from draftroom.errors import (
    AlreadyExists,
    CommitNotFound,
    InvalidInput,
    InvalidRef,
    PathNotFound,
    RefNotFound,
    RepoNotFound,
)
from draftroom.git import changeset, merge, revert
from draftroom.git.commits import signature
from draftroom.git.diff import diff_trees
from draftroom.git.locks import branch_lock
from draftroom.git.log import log
from draftroom.git.objects import (
    Change,
    CommitResult,
    ConflictSides,
    Diff,
    EntryType,
    FileBlob,
    Identity,
    LogPage,
    MergePreview,
    MergeResult,
    Resolver,
    TreeEntry,
    TreePage,
)
from draftroom.git.paths import validate_path
from draftroom.git.refs import (
    ARCHIVE,
    HEADS,
    branch_head,
    ensure_writable,
    resolve_commit,
    validate_branch,
)
from draftroom.git.sizes import TreeSizes
from draftroom.git.trees import changed_paths, entry

DEFAULT_README = b"# Repository\n\nCreated by draftroom.\n"
MAX_TREE_LIMIT = 1000
_ENTRY_TYPES: dict[int, EntryType] = {
    FileMode.TREE: "dir",
    FileMode.LINK: "symlink",
    FileMode.COMMIT: "submodule",
}


class Repository:
    """A git repository addressed by its git directory; see the module docstring."""

    path: Path

    def __init__(
        self, gitdir: Path, *, fsync: bool = False, allow_case_collisions: bool = False
    ) -> None:
        """Use ``Repository.open`` or ``Repository.init``; this trusts ``gitdir``.

        ``allow_case_collisions``: let a commit add a path differing from another only by
        case or Unicode normalisation (refused by default; see ``git.collisions``).
        """
        self.path = gitdir
        self.fsync = fsync
        self.allow_case_collisions = allow_case_collisions
        self._sizes = TreeSizes()
        self._local = threading.local()
        if fsync:
            # libgit2 option, process-global: once on, every repository in this process fsyncs.
            pygit2.option(Option.ENABLE_FSYNC_GITDIR, 1)

    @classmethod
    def init(
        cls,
        path: Path | str,
        *,
        readme: bytes | None = None,
        fsync: bool = False,
        allow_case_collisions: bool = False,
    ) -> Repository:
        """Create a bare repository whose ``main`` holds one commit adding README.md."""
        target = Path(path)
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise AlreadyExists(f"{target} already exists and is not empty; pick a new path")
        raw = pygit2.init_repository(str(target), bare=True, initial_head="main")
        builder = raw.TreeBuilder()
        blob = raw.create_blob(DEFAULT_README if readme is None else readme)
        builder.insert("README.md", blob, FileMode.BLOB)
        who = signature(Identity())
        raw.create_commit(HEADS + "main", who, who, "Initial commit\n", builder.write(), [])
        gitdir = Path(raw.path).resolve()
        raw.free()
        return cls(gitdir, fsync=fsync, allow_case_collisions=allow_case_collisions)

    @classmethod
    def open(
        cls, path: Path | str, *, fsync: bool = False, allow_case_collisions: bool = False
    ) -> Repository:
        """Open an existing repository, bare or not (``path`` may be a work tree or git dir)."""
        try:
            raw = pygit2.Repository(str(path), RepositoryOpenFlag.NO_SEARCH)
        except (pygit2.GitError, KeyError, OSError):
            raise RepoNotFound(
                f"no git repository at {str(path)!r}; initialise one or check the path"
            ) from None
        gitdir = Path(raw.path).resolve()
        raw.free()
        return cls(gitdir, fsync=fsync, allow_case_collisions=allow_case_collisions)

    @property
    def _repo(self) -> pygit2.Repository:
        repo: pygit2.Repository | None = getattr(self._local, "repo", None)
        if repo is None:
            repo = pygit2.Repository(str(self.path), RepositoryOpenFlag.NO_SEARCH)
            self._local.repo = repo
        return repo

    def __repr__(self) -> str:
        return f"Repository({str(self.path)!r})"

    # refs and branches

    def head(self, branch: str) -> str:
        return str(branch_head(self._repo, branch).id)

    def resolve(self, ref: str) -> str:
        return str(resolve_commit(self._repo, ref).id)

    def branch_exists(self, branch: str) -> bool:
        return self._repo.references.get(HEADS + validate_branch(branch)) is not None

    def list_branches(self, prefix: str = "") -> list[str]:
        start = HEADS + prefix
        names = self._repo.listall_references()
        return sorted(name[len(HEADS) :] for name in names if name.startswith(start))

    def create_branch(self, branch: str, from_ref: str = "main") -> str:
        """Create ``branch`` at ``from_ref`` and return its head sha."""
        validate_branch(branch)
        repo = self._repo
        commit = resolve_commit(repo, from_ref)
        try:
            repo.references.create(HEADS + branch, commit.id)
        except pygit2.AlreadyExistsError:
            raise AlreadyExists(
                f"branch {branch!r} already exists; pick another name", branch=branch
            ) from None
        except pygit2.GitError as exc:  # e.g. 'a' exists and 'a/b' is asked for
            raise InvalidRef(
                f"cannot create branch {branch!r}: {exc}; pick another name", branch=branch
            ) from None
        return str(commit.id)

    def archive_branch(self, branch: str) -> str:
        """Move ``branch`` to ``refs/draftroom/archive/<branch>``; return that ref name."""
        repo = self._repo
        ensure_writable(repo, self.path, branch)
        archived = ARCHIVE + branch
        with branch_lock(self.path, branch):
            reference = repo.references.get(HEADS + branch)
            if reference is None:
                raise RefNotFound(f"branch {branch!r} does not exist", branch=branch)
            if repo.references.get(archived) is not None:
                raise AlreadyExists(
                    f"an archived branch {branch!r} already exists; restore it or rename first",
                    branch=branch,
                )
            reference.rename(archived)
        return archived

    def restore_branch(self, branch: str) -> str:
        """Move an archived ``branch`` back to ``refs/heads/``; return its head sha."""
        validate_branch(branch)
        repo = self._repo
        with branch_lock(self.path, branch):
            reference = repo.references.get(ARCHIVE + branch)
            if reference is None:
                raise RefNotFound(f"no archived branch {branch!r}", branch=branch)
            if repo.references.get(HEADS + branch) is not None:
                raise AlreadyExists(
                    f"branch {branch!r} exists again; archive or rename it before restoring",
                    branch=branch,
                )
            target = str(reference.target)
            reference.rename(HEADS + branch)
        return target

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        a = resolve_commit(self._repo, ancestor).id
        d = resolve_commit(self._repo, descendant).id
        return a == d or bool(self._repo.descendant_of(d, a))

    def ahead_behind(self, ref: str, upstream: str) -> tuple[int, int]:
        local = resolve_commit(self._repo, ref).id
        other = resolve_commit(self._repo, upstream).id
        ahead, behind = self._repo.ahead_behind(local, other)
        return int(ahead), int(behind)

    def branch_lock(self, branch: str) -> AbstractContextManager[None]:
        """Hold ``branch``'s writer lock (no commit moves it meanwhile); for reconciliation."""
        return branch_lock(self.path, validate_branch(branch))

    # reads

    def read_file(self, ref: str, path: str) -> FileBlob:
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

    def file_size(self, ref: str, path: str) -> int | None:
        """Size of the file at ``path`` in ``ref`` from its header; None if there is none."""
        validate_path(path)
        obj = entry(resolve_commit(self._repo, ref).tree, path)
        if not isinstance(obj, pygit2.Blob):
            return None
        return int(self._repo.odb.read_header(obj.id)[1])

    # writes

    def commit_changes(
        self,
        branch: str,
        changes: Sequence[Change],
        *,
        message: str,
        author: Identity | None = None,
        committer: Identity | None = None,
        trailers: Mapping[str, str] | None = None,
        expected_head: str | None = None,
    ) -> CommitResult:
        """Commit ``changes`` atomically; rebase onto a moved head when no path overlaps."""
        return changeset.commit_changes(
            self._repo,
            self.path,
            branch,
            changes,
            message=message,
            author=author,
            committer=committer,
            trailers=trailers,
            expected_head=expected_head,
            allow_case_collisions=self.allow_case_collisions,
        )

    def revert_commit(
        self,
        branch: str,
        sha: str,
        *,
        message: str | None = None,
        trailers: Mapping[str, str] | None = None,
        extra_changes: Sequence[Change] = (),
        expected_head: str | None = None,
        author: Identity | None = None,
    ) -> CommitResult:
        """Commit the inverse of ``sha`` on ``branch`` (with a ``Reverts:`` trailer)."""
        return revert.revert_commit(
            self._repo,
            self.path,
            branch,
            sha,
            message=message,
            trailers=trailers,
            extra_changes=extra_changes,
            expected_head=expected_head,
            author=author,
        )

    def restore_tree(
        self,
        branch: str,
        to_ref: str,
        *,
        message: str,
        trailers: Mapping[str, str] | None = None,
        extra_changes: Sequence[Change] = (),
        expected_head: str | None = None,
        author: Identity | None = None,
    ) -> CommitResult:
        """Commit ``to_ref``'s tree on ``branch``, keeping the history in between."""
        return revert.restore_tree(
            self._repo,
            self.path,
            branch,
            to_ref,
            message=message,
            trailers=trailers,
            extra_changes=extra_changes,
            expected_head=expected_head,
            author=author,
        )

    # history

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

    def commit_files(self, sha: str) -> list[str]:
        """Paths changed by commit ``sha`` against its first parent."""
        try:
            commit = resolve_commit(self._repo, sha)
        except RefNotFound:
            raise CommitNotFound(f"commit {sha!r} not found", sha=sha) from None
        parent = commit.parents[0].tree if commit.parents else None
        return changed_paths(parent, commit.tree)

    # merging

    def merge_preview(self, source_ref: str, target_branch: str) -> MergePreview:
        target = branch_head(self._repo, target_branch)
        source = resolve_commit(self._repo, source_ref)
        return merge.merge_preview(self._repo, source, target)

    def conflict_sides(self, source_ref: str, target_branch: str) -> list[ConflictSides]:
        """Each path merging ``source_ref`` into ``target_branch`` would conflict on."""
        target = branch_head(self._repo, target_branch)
        source = resolve_commit(self._repo, source_ref)
        return merge.conflict_sides(self._repo, source, target)

    def commit_merge(
        self,
        source_ref: str,
        target_branch: str,
        *,
        message: str,
        author: Identity | None = None,
        trailers: Mapping[str, str] | None = None,
        expected_target_head: str | None = None,
        resolver: Resolver | None = None,
        squash: bool = False,
        keep: Sequence[str] = (),
        extra_changes: Sequence[Change] = (),
    ) -> CommitResult:
        """One new commit on ``target_branch`` merging ``source_ref`` (see ``merge.commit_merge``)."""
        return merge.commit_merge(
            self._repo,
            self.path,
            source_ref,
            target_branch,
            message=message,
            author=author,
            trailers=trailers,
            expected_target_head=expected_target_head,
            resolver=resolver,
            squash=squash,
            keep=keep,
            extra_changes=extra_changes,
        )

    def merge(
        self,
        source_ref: str,
        target_branch: str,
        *,
        message: str,
        author: Identity | None = None,
        trailers: Mapping[str, str] | None = None,
        expected_target_head: str | None = None,
        resolver: Resolver | None = None,
    ) -> MergeResult:
        """Merge ``source_ref`` into ``target_branch`` under its lock; conflicts write nothing."""
        return merge.merge(
            self._repo,
            self.path,
            source_ref,
            target_branch,
            message=message,
            author=author,
            trailers=trailers,
            expected_target_head=expected_target_head,
            resolver=resolver,
        )


def _walk(
    tree: pygit2.Tree, prefix: str, recursive: bool, out: list[tuple[str, pygit2.Object]]
) -> None:
    for obj in tree:
        path = prefix + str(obj.name)
        out.append((path, obj))
        if recursive and isinstance(obj, pygit2.Tree):
            _walk(obj, path + "/", recursive, out)
