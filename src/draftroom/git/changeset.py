"""Applying a change set to a branch as one atomic commit, with safe rebase on a moved head.

The branch moves only under its lock and only if nothing in between touched the same paths;
must never write a ref when it raises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pygit2

from draftroom.errors import CommitNotFound, EmptyChangeSet, RefNotFound, StaleHead
from draftroom.git.collisions import check_collisions
from draftroom.git.commits import commit_info, move_branch
from draftroom.git.locks import BranchLocks
from draftroom.git.objects import Change, CommitResult, Identity
from draftroom.git.packs import NewObjects
from draftroom.git.paths import is_within, validate_new_file, validate_new_path, validate_path
from draftroom.git.refs import branch_head, ensure_writable, resolve_commit
from draftroom.git.trees import build_tree, changed_paths


def validate_changes(changes: Sequence[Change], *, allow_empty: bool = False) -> list[Change]:
    """Refuse an empty set and any path not yet checked, before any object is written.

    Only what protects the repository is checked here: a ``Change`` cannot be ambiguous (its
    constructor refuses that), a path twice is refused where the tree is built
    (``build_tree``), and a ``path_checked`` path was validated by the caller.

    A path written (not deleted) must pass ``validate_new_path``: what a commit adds passes
    ``git fsck --strict`` and checks out on Windows and macOS.
    """
    if not changes and not allow_empty:
        raise EmptyChangeSet("change set is empty; pass at least one file to write or delete")
    for change in changes:
        if not change.path_checked:
            if change.delete:
                validate_path(change.path)
            else:
                validate_new_path(change.path)
        if change.data is not None:
            validate_new_file(change.path, bytes(change.data))
    return list(changes)


def touched_since(repo: pygit2.Repository, base: pygit2.Commit, head: pygit2.Commit) -> list[str]:
    """Paths changed by the commits in ``base..head`` (each against its first parent)."""
    walker = repo.walk(head.id)
    walker.hide(base.id)
    touched: set[str] = set()
    for commit in walker:
        parent = commit.parents[0].tree if commit.parents else None
        touched.update(changed_paths(parent, commit.tree))
    return sorted(touched)


def expected_commit(repo: pygit2.Repository, branch: str, expected_head: str) -> pygit2.Commit:
    try:
        return resolve_commit(repo, expected_head)
    except RefNotFound:
        raise StaleHead(
            f"expected head {expected_head!r} of {branch!r} is not a known commit; "
            "read the branch head and retry",
            head=str(branch_head(repo, branch).id),
        ) from None


def _rebases(
    repo: pygit2.Repository, branch: str, head: pygit2.Commit, expected_head: str, paths: list[str]
) -> bool:
    """Whether committing on ``head`` rebases a change made at ``expected_head``; raise
    ``StaleHead`` when ``head`` no longer contains it or the commits since touched ``paths``."""
    if expected_head == str(head.id):
        return False
    base = expected_commit(repo, branch, expected_head)
    if base.id == head.id:
        return False
    if not repo.descendant_of(head.id, base.id):
        raise StaleHead(
            f"branch {branch!r} no longer contains {expected_head}; read its head and retry",
            head=str(head.id),
            paths=[],
        )
    touched = touched_since(repo, base, head)
    overlap = [p for p in paths if any(is_within(p, t) for t in touched)]
    if overlap:
        raise StaleHead(
            f"branch {branch!r} moved and changed {', '.join(overlap)}; "
            "read those files again at the new head and retry",
            head=str(head.id),
            paths=overlap,
        )
    return True


def commit_changes(
    repo: pygit2.Repository,
    gitdir: Path,
    branch: str,
    changes: Sequence[Change],
    *,
    locks: BranchLocks,
    message: str,
    author: Identity | None = None,
    committer: Identity | None = None,
    trailers: Mapping[str, str] | None = None,
    expected_head: str | None = None,
    allow_case_collisions: bool = False,
    fsync: bool = False,
) -> CommitResult:
    """Commit ``changes`` to ``branch`` atomically; see ``Repository.commit_changes``.

    The new blobs, trees and commit are written as one pack (``packs.NewObjects``), before
    the branch moves; nothing is written when the change set turns out empty.
    """
    changes = validate_changes(changes)
    info = commit_info(message, trailers, author, committer)
    ensure_writable(repo, gitdir, branch)
    paths = sorted(change.path for change in changes)
    with locks.hold(gitdir, branch):
        head = branch_head(repo, branch)
        rebased = expected_head is not None and _rebases(repo, branch, head, expected_head, paths)
        if not allow_case_collisions:
            check_collisions(head.tree, changes)
        new = NewObjects()
        tree = build_tree(repo, head.tree, changes, new)
        if tree == head.tree_id:
            raise EmptyChangeSet(
                "nothing changed: the files already have this content", head=str(head.id)
            )
        sha = new.commit(tree, [head.id], info.author, info.committer, info.message)
        new.write(gitdir, fsync=fsync)
        move_branch(repo, branch, sha, head.id, "draftroom: commit")
    return CommitResult(
        sha=str(sha), branch=branch, parent=str(head.id), files=paths, rebased=rebased
    )


def require_on_branch(
    repo: pygit2.Repository, branch: str, head: pygit2.Commit, sha: str
) -> pygit2.Commit:
    """The commit ``sha`` if it is ``head`` or one of its ancestors, else ``CommitNotFound``."""
    try:
        commit = resolve_commit(repo, sha)
    except RefNotFound:
        commit = None
    if commit is None or not (commit.id == head.id or repo.descendant_of(head.id, commit.id)):
        raise CommitNotFound(
            f"commit {sha!r} is not on branch {branch!r}; pick one from its log",
            sha=sha,
            branch=branch,
        )
    return commit
