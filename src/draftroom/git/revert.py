"""Undo as new commits: revert one commit, or restore a branch's tree to an earlier state.

History is only ever added to; must never rewrite or drop a commit, and never write a ref
when it raises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pygit2

from draftroom.errors import EmptyChangeSet, RevertConflict, StaleHead
from draftroom.git.changeset import expected_commit, require_on_branch, validate_changes
from draftroom.git.commits import CommitInfo, commit_info, move_branch, write_commit
from draftroom.git.locks import BranchLocks
from draftroom.git.objects import Change, CommitResult, Identity
from draftroom.git.refs import branch_head, ensure_writable, resolve_commit
from draftroom.git.trees import apply_changes, changed_paths, empty_tree


def check_expected(
    repo: pygit2.Repository, branch: str, head: pygit2.Commit, expected_head: str | None
) -> None:
    """Raise ``StaleHead`` unless ``expected_head`` (if given) is the branch head."""
    if expected_head is None or expected_head == str(head.id):
        return
    if expected_commit(repo, branch, expected_head).id != head.id:
        raise StaleHead(
            f"branch {branch!r} moved past {expected_head}; read its head and retry",
            head=str(head.id),
            paths=[],
        )


def revert_commit(
    repo: pygit2.Repository,
    gitdir: Path,
    branch: str,
    sha: str,
    *,
    locks: BranchLocks,
    fsync: bool = False,
    message: str | None = None,
    trailers: Mapping[str, str] | None = None,
    extra_changes: Sequence[Change] = (),
    expected_head: str | None = None,
    author: Identity | None = None,
    keep: str | None = None,
) -> CommitResult:
    """Commit the inverse of ``sha`` (against its first parent) on top of ``branch``.

    ``keep`` names a top-level directory the revert leaves as the head has it (a log that
    history only adds to): what ``sha`` did there is not taken back.
    """
    extra = validate_changes(extra_changes, allow_empty=True)
    ensure_writable(repo, gitdir, branch)
    with locks.hold(gitdir, branch):
        head = branch_head(repo, branch)
        check_expected(repo, branch, head, expected_head)
        target = require_on_branch(repo, branch, head, sha)
        full = str(target.id)
        text = message or f'Revert "{target.message.splitlines()[0] if target.message else ""}"'
        if message is None:
            text += f"\n\nThis reverts commit {full}."
        info = commit_info(text, {"Reverts": full, **(trailers or {})}, author)
        parent = target.parents[0].tree if target.parents else empty_tree(repo)
        before, after = target.tree, parent
        if keep is not None:
            before = _with_entry(repo, before, keep, head.tree)
            after = _with_entry(repo, after, keep, head.tree)
        index = repo.merge_trees(before, head.tree, after)
        if index.conflicts is not None:
            paths = sorted({e.path for entries in index.conflicts for e in entries if e})
            raise RevertConflict(
                f"reverting {full[:12]} conflicts with later changes to {', '.join(paths)}; "
                "edit those files by hand instead",
                sha=full,
                paths=paths,
            )
        tree = index.write_tree(repo)
        done = f"commit {full} is already undone"
        return _finish(repo, branch, head, tree, extra, info, done, fsync)


def restore_tree(
    repo: pygit2.Repository,
    gitdir: Path,
    branch: str,
    to_ref: str,
    *,
    locks: BranchLocks,
    fsync: bool = False,
    message: str,
    trailers: Mapping[str, str] | None = None,
    extra_changes: Sequence[Change] = (),
    expected_head: str | None = None,
    author: Identity | None = None,
) -> CommitResult:
    """Commit ``to_ref``'s tree on top of ``branch``, keeping the history in between."""
    extra = validate_changes(extra_changes, allow_empty=True)
    info = commit_info(message, trailers, author)
    ensure_writable(repo, gitdir, branch)
    target = resolve_commit(repo, to_ref)
    with locks.hold(gitdir, branch):
        head = branch_head(repo, branch)
        check_expected(repo, branch, head, expected_head)
        reason = f"branch {branch!r} already has the tree of {to_ref!r}"
        return _finish(repo, branch, head, target.tree_id, extra, info, reason, fsync)


def _with_entry(
    repo: pygit2.Repository, tree: pygit2.Tree, name: str, source: pygit2.Tree
) -> pygit2.Tree:
    """``tree`` with its top-level entry ``name`` as ``source`` has it (or without one)."""
    builder = repo.TreeBuilder(tree)
    if name in source:
        entry = source[name]
        builder.insert(name, entry.id, entry.filemode)
    elif builder.get(name) is not None:
        builder.remove(name)
    kept = repo[builder.write()]
    assert isinstance(kept, pygit2.Tree)
    return kept


def _finish(
    repo: pygit2.Repository,
    branch: str,
    head: pygit2.Commit,
    tree: pygit2.Oid,
    extra: list[Change],
    info: CommitInfo,
    nothing: str,
    fsync: bool,
) -> CommitResult:
    if tree == head.tree_id and not extra:
        raise EmptyChangeSet(f"nothing changed: {nothing}", head=str(head.id))
    if extra:
        base = repo[tree]
        assert isinstance(base, pygit2.Tree)
        tree = apply_changes(repo, base, extra, fsync=fsync)
    if tree == head.tree_id:
        raise EmptyChangeSet(f"nothing changed: {nothing}", head=str(head.id))
    new_tree = repo[tree]
    assert isinstance(new_tree, pygit2.Tree)
    files = changed_paths(head.tree, new_tree)
    sha = write_commit(repo, tree, [head.id], info)
    move_branch(repo, branch, sha, head.id, "draftroom: revert")
    return CommitResult(sha=str(sha), branch=branch, parent=str(head.id), files=files)
