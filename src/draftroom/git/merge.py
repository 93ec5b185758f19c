"""Three-way merges of one ref into a branch, entirely in the object database.

Must never touch a working tree or index file, and never write a ref while any conflict
is unresolved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pygit2
from pygit2.enums import FileMode

from draftroom.errors import EmptyChangeSet, MergeConflict
from draftroom.git.changeset import validate_changes
from draftroom.git.commits import commit_info, move_branch, write_commit
from draftroom.git.diff import diff_trees
from draftroom.git.locks import BranchLocks
from draftroom.git.objects import (
    Change,
    CommitResult,
    ConflictSides,
    Identity,
    MergePreview,
    MergeResult,
    Resolver,
)
from draftroom.git.refs import branch_head, ensure_writable, resolve_commit
from draftroom.git.revert import check_expected
from draftroom.git.trees import apply_changes, changed_paths, empty_tree, entry


def _base(
    repo: pygit2.Repository, source: pygit2.Commit, target: pygit2.Commit
) -> pygit2.Oid | None:
    base: pygit2.Oid | None = repo.merge_base(source.id, target.id)
    return base


def _merge_index(
    repo: pygit2.Repository,
    base: pygit2.Oid | None,
    source: pygit2.Commit,
    target: pygit2.Commit,
) -> pygit2.Index:
    ancestor = repo[base].peel(pygit2.Tree) if base is not None else empty_tree(repo)
    return repo.merge_trees(ancestor, target.tree, source.tree)


def conflict_paths(index: pygit2.Index) -> list[str]:
    if index.conflicts is None:
        return []
    return sorted({_side_path(sides) for sides in index.conflicts})


def _side_path(sides: tuple[pygit2.IndexEntry | None, ...]) -> str:
    ancestor, ours, theirs = sides
    first = ours or theirs or ancestor
    assert first is not None
    return str(first.path)


def merge_preview(
    repo: pygit2.Repository, source: pygit2.Commit, target: pygit2.Commit
) -> MergePreview:
    """What merging ``source`` into ``target`` would do, writing no ref."""
    base = _base(repo, source, target)
    up_to_date = base == source.id
    fast_forward = not up_to_date and base == target.id
    files = []
    conflicts: list[str] = []
    if fast_forward:
        files = diff_trees(target.tree, source.tree).files
    elif not up_to_date:
        index = _merge_index(repo, base, source, target)
        conflicts = conflict_paths(index)
        if conflicts:
            base_tree = repo[base].peel(pygit2.Tree) if base is not None else empty_tree(repo)
            files = diff_trees(base_tree, source.tree).files
        else:
            merged = repo[index.write_tree(repo)].peel(pygit2.Tree)
            files = diff_trees(target.tree, merged).files
    return MergePreview(
        base=str(base) if base is not None else None,
        source_head=str(source.id),
        target_head=str(target.id),
        up_to_date=up_to_date,
        fast_forward=fast_forward,
        files=files,
        conflicts=conflicts,
    )


def _resolve(repo: pygit2.Repository, index: pygit2.Index, resolver: Resolver | None) -> list[str]:
    """Let ``resolver`` settle conflicts in ``index``; return the paths still conflicting."""
    if index.conflicts is None:
        return []
    if resolver is None:
        return conflict_paths(index)
    unresolved: set[str] = set()
    settled: list[tuple[str, pygit2.Oid, FileMode]] = []
    for sides in list(index.conflicts):
        path = _side_path(sides)
        blobs = [_data(repo, side) for side in sides]
        result = resolver(path, blobs[0], blobs[1], blobs[2])
        if result is None:
            unresolved.add(path)
            continue
        side = sides[1] or sides[2] or sides[0]
        mode = FileMode(side.mode) if side is not None else FileMode.BLOB
        settled.append((path, repo.create_blob(bytes(result)), mode))
    for path, oid, mode in settled:
        del index.conflicts[path]
        index.add(pygit2.IndexEntry(path, oid, mode))
    return sorted(unresolved)


def _merged_tree(
    repo: pygit2.Repository,
    base: pygit2.Oid | None,
    source: pygit2.Commit,
    target: pygit2.Commit,
    resolver: Resolver | None,
    where: str,
    hint: str = "",
) -> pygit2.Oid:
    """The three-way merge's tree, its conflicts settled by ``resolver``; ``MergeConflict``
    naming the paths left (``where`` and ``hint`` make its message) when any remain."""
    index = _merge_index(repo, base, source, target)
    unresolved = _resolve(repo, index, resolver)
    if unresolved:
        raise MergeConflict(f"{where} conflicts in {', '.join(unresolved)}{hint}", paths=unresolved)
    return index.write_tree(repo)


def _data(repo: pygit2.Repository, side: pygit2.IndexEntry | None) -> bytes | None:
    if side is None:
        return None
    blob = repo[side.id]
    return blob.data if isinstance(blob, pygit2.Blob) else None


def merge(
    repo: pygit2.Repository,
    gitdir: Path,
    source_ref: str,
    target_branch: str,
    *,
    locks: BranchLocks,
    message: str,
    author: Identity | None = None,
    trailers: Mapping[str, str] | None = None,
    expected_target_head: str | None = None,
    resolver: Resolver | None = None,
) -> MergeResult:
    """Merge ``source_ref`` into ``target_branch``: no-op, fast-forward or merge commit."""
    info = commit_info(message, trailers, author)
    ensure_writable(repo, gitdir, target_branch)
    source = resolve_commit(repo, source_ref)
    with locks.hold(gitdir, target_branch):
        target = branch_head(repo, target_branch)
        check_expected(repo, target_branch, target, expected_target_head)
        base = _base(repo, source, target)
        if base == source.id:
            return MergeResult(sha=str(target.id), branch=target_branch, fast_forward=False)
        if base == target.id:
            move_branch(repo, target_branch, source.id, target.id, "draftroom: fast-forward")
            files = changed_paths(target.tree, source.tree)
            return MergeResult(
                sha=str(source.id), branch=target_branch, fast_forward=True, files=files
            )
        where = f"merging {source_ref!r} into {target_branch!r}"
        hint = "; resolve them on the source branch and retry"
        tree = _merged_tree(repo, base, source, target, resolver, where, hint)
        sha = write_commit(repo, tree, [target.id, source.id], info)
        move_branch(repo, target_branch, sha, target.id, "draftroom: merge")
        merged = repo[tree].peel(pygit2.Tree)
        return MergeResult(
            sha=str(sha),
            branch=target_branch,
            fast_forward=False,
            files=changed_paths(target.tree, merged),
        )


def conflict_sides(
    repo: pygit2.Repository, source: pygit2.Commit, target: pygit2.Commit
) -> list[ConflictSides]:
    """Every path merging ``source`` into ``target`` would conflict on, with its three sides.

    ``ours`` is ``target``'s side, ``theirs`` is ``source``'s.
    """
    base = _base(repo, source, target)
    if base in (source.id, target.id):
        return []
    index = _merge_index(repo, base, source, target)
    if index.conflicts is None:
        return []
    found = [
        ConflictSides(_side_path(sides), *(_data(repo, side) for side in sides))
        for sides in index.conflicts
    ]
    return sorted(found, key=lambda sides: sides.path)


def commit_merge(
    repo: pygit2.Repository,
    gitdir: Path,
    source_ref: str,
    target_branch: str,
    *,
    locks: BranchLocks,
    fsync: bool = False,
    message: str,
    author: Identity | None = None,
    trailers: Mapping[str, str] | None = None,
    expected_target_head: str | None = None,
    resolver: Resolver | None = None,
    squash: bool = False,
    keep: Sequence[str] = (),
    extra_changes: Sequence[Change] = (),
) -> CommitResult:
    """Merge ``source_ref`` into ``target_branch`` as exactly one new commit, never a fast-forward.

    The commit's first parent is the target's head (so undoing it restores that head's files);
    ``squash`` leaves out the second parent. Top-level names in ``keep`` take the target's
    version (or stay absent), whatever the source did to them; ``extra_changes`` are applied
    last. Unresolved conflicts raise ``MergeConflict`` and write nothing.
    """
    info = commit_info(message, trailers, author)
    extra = validate_changes(extra_changes, allow_empty=True)
    ensure_writable(repo, gitdir, target_branch)
    source = resolve_commit(repo, source_ref)
    with locks.hold(gitdir, target_branch):
        target = branch_head(repo, target_branch)
        check_expected(repo, target_branch, target, expected_target_head)
        base = _base(repo, source, target)
        if base == source.id:
            raise EmptyChangeSet(
                f"nothing to merge: {target_branch!r} already has every commit of {source_ref!r}",
                head=str(target.id),
            )
        where = f"merging {source_ref!r} into {target_branch!r}"
        merged = _merged_tree(repo, base, source, target, resolver, where)
        tree = _keep_names(repo, merged, target.tree, keep)
        if extra:
            tree = apply_changes(repo, repo[tree].peel(pygit2.Tree), extra, fsync=fsync)
        parents = [target.id] if squash else [target.id, source.id]
        sha = write_commit(repo, tree, parents, info)
        move_branch(repo, target_branch, sha, target.id, "draftroom: merge")
        files = changed_paths(target.tree, repo[tree].peel(pygit2.Tree))
        return CommitResult(sha=str(sha), branch=target_branch, parent=str(target.id), files=files)


def _keep_names(
    repo: pygit2.Repository, tree: pygit2.Oid, target: pygit2.Tree, keep: Sequence[str]
) -> pygit2.Oid:
    """``tree`` with each top-level name in ``keep`` as ``target`` has it (or absent)."""
    if not keep:
        return tree
    builder = repo.TreeBuilder(repo[tree].peel(pygit2.Tree))
    for name in keep:
        if builder.get(name) is not None:
            builder.remove(name)
        kept = entry(target, name)
        if kept is not None:
            builder.insert(name, kept.id, target[name].filemode)
    return builder.write()
