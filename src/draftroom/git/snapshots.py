"""Snapshots: a set of files kept as one parentless commit under a ref of their own.

What stores content that is not a branch (e.g. a template version under
``refs/templates/…``): a ref is written once and never moved, so a stored version never
changes. Reads return every file of a tree with its kind, so callers can refuse what is not
a regular file (a symlink, a submodule).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pygit2
from pygit2.enums import FileMode, RepositoryOpenFlag

from draftroom.errors import AlreadyExists, InvalidRef, PayloadTooLarge, RefNotFound, RepoNotFound
from draftroom.git.commits import signature
from draftroom.git.objects import Change, Identity
from draftroom.git.trees import apply_changes

_KINDS = {
    FileMode.BLOB: "file",
    FileMode.BLOB_EXECUTABLE: "executable",
    FileMode.LINK: "symlink",
    FileMode.COMMIT: "submodule",
}


@dataclass(frozen=True)
class SnapshotFile:
    """One tree entry: ``kind`` is file, executable, symlink or submodule (``data`` b'')."""

    path: str
    kind: str
    data: bytes
    size: int


@dataclass(frozen=True)
class Stored:
    ref: str
    tree: str
    created: bool
    """False: the ref already held the same tree (storing again changes nothing)."""


def _open(gitdir: Path) -> pygit2.Repository:
    try:
        return pygit2.Repository(str(gitdir), RepositoryOpenFlag.NO_SEARCH)
    except (pygit2.GitError, KeyError, OSError):
        raise RepoNotFound(f"no git repository at {str(gitdir)!r}") from None


def open_or_init_store(gitdir: Path) -> Path:
    """The bare repository at ``gitdir``, created empty when missing; its resolved path."""
    if not (gitdir / "HEAD").is_file():
        pygit2.init_repository(str(gitdir), bare=True).free()
    return gitdir.resolve()


def store_snapshot(gitdir: Path, ref: str, files: Sequence[Change], message: str) -> Stored:
    """Write ``files`` as a parentless commit under ``ref``, which must be new or hold the
    same tree already (``AlreadyExists`` otherwise: a stored snapshot never changes)."""
    if not pygit2.reference_is_valid_name(ref) or not ref.startswith("refs/"):
        raise InvalidRef(f"{ref!r} is not a valid ref name", ref=ref)
    repo = _open(gitdir)
    try:
        tree = apply_changes(repo, None, files)
        existing = repo.references.get(ref)
        if existing is None:
            who = signature(Identity())
            commit = repo.create_commit(None, who, who, message + "\n", tree, [])
            try:
                repo.references.create(ref, commit, force=False)
            except pygit2.AlreadyExistsError:
                existing = repo.references.get(ref)  # stored meanwhile: compare below
            else:
                return Stored(ref, str(tree), True)
        held = existing.peel(pygit2.Commit).tree_id if existing is not None else None
        if held != tree:
            raise AlreadyExists(
                f"{ref} is already stored with other content; give the new content a new version",
                ref=ref,
            )
        return Stored(ref, str(tree), False)
    finally:
        repo.free()


def snapshot_refs(gitdir: Path, prefix: str) -> list[str]:
    """Every ref under ``prefix`` (e.g. ``refs/templates/global/``), sorted."""
    if not (gitdir / "HEAD").is_file():
        return []
    repo = _open(gitdir)
    try:
        return sorted(name for name in repo.references if name.startswith(prefix))
    finally:
        repo.free()


def delete_snapshots(gitdir: Path, prefix: str) -> int:
    """Delete every ref under ``prefix``; how many there were."""
    names = snapshot_refs(gitdir, prefix)
    if not names:
        return 0
    repo = _open(gitdir)
    try:
        for name in names:
            repo.references.delete(name)
    finally:
        repo.free()
    return len(names)


def snapshot_files(gitdir: Path, ref: str, max_files: int, max_bytes: int) -> list[SnapshotFile]:
    """Every entry of ``ref``'s tree (a snapshot ref, a branch, or ``HEAD``), by path.

    Stops with ``PayloadTooLarge`` past ``max_files`` entries or ``max_bytes`` of content, so an
    oversized tree is never read whole.
    """
    repo = _open(gitdir)
    try:
        try:
            commit = repo.revparse_single(ref).peel(pygit2.Commit)
        except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
            raise RefNotFound(f"{ref!r} has no commit", ref=ref) from None
        found: list[SnapshotFile] = []
        total = 0
        for path, obj in _entries(commit.tree, ""):
            kind = _KINDS.get(obj.filemode, "file")
            size = 0 if kind == "submodule" else int(repo.odb.read_header(obj.id)[1])
            total += size
            if len(found) >= max_files or total > max_bytes:
                raise PayloadTooLarge(
                    f"{ref!r} holds more than {max_files} files or {max_bytes} bytes", ref=ref
                )
            blob = None if kind == "submodule" else repo[obj.id]
            data = blob.data if isinstance(blob, pygit2.Blob) else b""
            found.append(SnapshotFile(path, kind, data, size))
        return found
    finally:
        repo.free()


def _entries(tree: pygit2.Tree, prefix: str) -> list[tuple[str, pygit2.Object]]:
    out: list[tuple[str, pygit2.Object]] = []
    for obj in tree:
        path = prefix + str(obj.name)
        if isinstance(obj, pygit2.Tree):
            out += _entries(obj, path + "/")
        else:
            out.append((path, obj))
    return out
