"""Naming and resolving refs: branch-name validation, ref → commit lookup, checked-out guard.

Must never move a ref itself; writers do that under the branch lock (see ``commits.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pygit2

from draftroom.errors import BranchNotAllowed, InvalidRef, RefNotFound

HEADS = "refs/heads/"
ARCHIVE = "refs/draftroom/archive/"
_HEX = re.compile(r"[0-9a-fA-F]{7,40}")
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")


def validate_branch(branch: str) -> str:
    """Return ``branch`` if it is a safe short branch name, else raise ``InvalidRef``."""
    if not isinstance(branch, str) or not branch:
        raise InvalidRef("branch name must be a non-empty string, e.g. 'sandbox/notes'")
    bad = _FORBIDDEN.search(branch)
    if bad:
        raise InvalidRef(
            f"branch name must not contain spaces, control characters or any of ~^:?*[\\, "
            f"got {branch!r}",
            branch=branch,
        )
    if branch.startswith("-") or branch.startswith("refs/"):
        raise InvalidRef(
            f"branch name must not start with '-' or 'refs/', got {branch!r}", branch=branch
        )
    if ".." in branch or branch.endswith(".lock") or branch.endswith("/") or branch == "HEAD":
        raise InvalidRef(
            f"branch name must not contain '..', end with '.lock' or '/', or be 'HEAD', "
            f"got {branch!r}",
            branch=branch,
        )
    if not pygit2.reference_is_valid_name(HEADS + branch):
        raise InvalidRef(f"{branch!r} is not a valid git branch name", branch=branch)
    return branch


def resolve_commit(repo: pygit2.Repository, ref: str) -> pygit2.Commit:
    """Resolve a branch name, full ref name or (abbreviated) commit sha to a commit.

    Deliberately narrower than ``git rev-parse``: no ``~``/``^``/``@{}`` syntax, so a ref
    string can never reach reflogs or unexpected objects.
    """
    if not isinstance(ref, str) or not ref or _FORBIDDEN.search(ref):
        raise RefNotFound(f"ref {ref!r} not found; pass a branch name or commit sha", ref=ref)
    names = [ref] if ref.startswith("refs/") else [HEADS + ref, "refs/tags/" + ref]
    for name in names:
        if not pygit2.reference_is_valid_name(name):
            continue
        reference = repo.references.get(name)
        if reference is not None:
            commit = _peel_commit(reference.peel(None))
            if commit is not None:
                return commit
    if _HEX.fullmatch(ref):
        try:
            obj = repo.get(ref)
        except (ValueError, KeyError):  # ambiguous prefix
            obj = None
        commit = _peel_commit(obj)
        if commit is not None:
            return commit
    raise RefNotFound(f"ref {ref!r} not found; pass a branch name or commit sha", ref=ref)


def _peel_commit(obj: object) -> pygit2.Commit | None:
    if not isinstance(obj, pygit2.Object):
        return None
    try:
        commit = obj.peel(pygit2.Commit)
    except (ValueError, pygit2.InvalidSpecError):
        return None
    return commit if isinstance(commit, pygit2.Commit) else None


def branch_head(repo: pygit2.Repository, branch: str) -> pygit2.Commit:
    """The commit ``refs/heads/<branch>`` points at; ``RefNotFound`` if there is none."""
    reference = repo.references.get(HEADS + validate_branch(branch))
    if reference is None:
        raise RefNotFound(
            f"branch {branch!r} does not exist; create it first or list branches",
            branch=branch,
        )
    commit = _peel_commit(reference.peel(None))
    if commit is None:
        raise RefNotFound(f"branch {branch!r} does not point at a commit", branch=branch)
    return commit


def checked_out_branches(gitdir: Path, bare: bool) -> set[str]:
    """Branches checked out in a working tree (main and linked); we must never move these."""
    heads = [] if bare else [gitdir / "HEAD"]
    worktrees = gitdir / "worktrees"
    if worktrees.is_dir():
        heads.extend(p / "HEAD" for p in worktrees.iterdir())
    branches = set()
    for head in heads:
        try:
            text = head.read_text("utf-8").strip()
        except OSError:
            continue
        if text.startswith("ref: " + HEADS):
            branches.add(text[len("ref: " + HEADS) :])
    return branches


def ensure_writable(repo: pygit2.Repository, gitdir: Path, branch: str) -> None:
    """Refuse to move a branch that a working tree has checked out (its files would go stale)."""
    validate_branch(branch)
    if branch in checked_out_branches(gitdir, repo.is_bare):
        raise BranchNotAllowed(
            f"branch {branch!r} is checked out in a working tree; "
            "commit to another branch and merge it from git",
            branch=branch,
        )
