"""Writing a commit object and moving a branch to it: the one place refs move.

Callers hold the branch lock (``locks.branch_lock``) and pass the head they read under it;
the ref moves with libgit2's compare-and-swap (lockfile + rename), so even a writer outside
our lock (the git CLI) can never be silently overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pygit2

from draftroom.errors import InvalidInput, StaleHead
from draftroom.git.objects import Identity
from draftroom.git.refs import HEADS
from draftroom.git.trailers import compose_message


def signature(identity: Identity | None) -> pygit2.Signature:
    who = identity or Identity()
    try:
        return pygit2.Signature(who.name, who.email)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(
            f"invalid identity {who.name!r} <{who.email}>: {exc}; use a plain name and email",
        ) from None


@dataclass(frozen=True)
class CommitInfo:
    """Message and signatures of a commit, checked before any object is written."""

    message: str
    author: pygit2.Signature
    committer: pygit2.Signature


def commit_info(
    message: str,
    trailers: Mapping[str, str] | None = None,
    author: Identity | None = None,
    committer: Identity | None = None,
) -> CommitInfo:
    """Validate and compose what a commit says; the committer defaults to draftroom itself."""
    return CommitInfo(compose_message(message, trailers), signature(author), signature(committer))


def write_commit(
    repo: pygit2.Repository, tree: pygit2.Oid, parents: Sequence[pygit2.Oid], info: CommitInfo
) -> pygit2.Oid:
    """Write a commit object; no ref moves."""
    return repo.create_commit(None, info.author, info.committer, info.message, tree, list(parents))


def move_branch(
    repo: pygit2.Repository, branch: str, new: pygit2.Oid, old: pygit2.Oid, reason: str
) -> None:
    """Point ``refs/heads/<branch>`` at ``new`` only if it still points at ``old``."""
    name = HEADS + branch
    reference = repo.references.get(name)
    if reference is None or reference.target != old:
        current = str(reference.target) if reference is not None else None
        raise StaleHead(
            f"branch {branch!r} moved while committing; read its head and retry",
            head=current,
        )
    try:
        reference.set_target(new, reason)
    except (pygit2.GitError, OSError) as exc:  # CAS failed, or a git process holds the ref lock
        raise StaleHead(
            f"branch {branch!r} moved while committing ({exc}); read its head and retry",
            head=None,
        ) from None
