"""The refs draftroom keeps for its upstream, and the two ways it moves a local branch.

``refs/draftroom/outbox/<branch>`` pins the exact commit a push sends (the branch may move
while the push runs); ``refs/draftroom/upstream/<branch>`` is what a fetch last saw;
``refs/draftroom/replaced/<branch>`` keeps the side an admin's resolution gave up, so no
commit becomes unreachable. Branches move only under the engine's branch lock.
"""

from __future__ import annotations

from pathlib import Path

import pygit2
from pygit2.enums import RepositoryOpenFlag

from draftroom.git.locks import branch_lock
from draftroom.git.refs import HEADS, ensure_writable

OUTBOX = "refs/draftroom/outbox/"
TRACKING = "refs/draftroom/upstream/"
REPLACED = "refs/draftroom/replaced/"
MERGE_TRAILER = "Draftroom-Merge-Request:"


def set_ref(gitdir: Path, name: str, sha: str) -> None:
    """Point ``name`` (a ref only draftroom writes) at ``sha``."""
    repo = pygit2.Repository(str(gitdir), RepositoryOpenFlag.NO_SEARCH)
    try:
        repo.references.create(name, pygit2.Oid(hex=sha), force=True)
    finally:
        repo.free()


def read_ref(gitdir: Path, name: str) -> str | None:
    repo = pygit2.Repository(str(gitdir), RepositoryOpenFlag.NO_SEARCH)
    try:
        reference = repo.references.get(name)
        return None if reference is None else str(reference.resolve().target)
    finally:
        repo.free()


def has_commit(gitdir: Path, sha: str) -> bool:
    repo = pygit2.Repository(str(gitdir), RepositoryOpenFlag.NO_SEARCH)
    try:
        return isinstance(repo.get(sha), pygit2.Commit)
    except (ValueError, KeyError):
        return False
    finally:
        repo.free()


def move_branch(gitdir: Path, branch: str, sha: str, *, expected: str | None) -> bool:
    """Set ``branch`` to ``sha`` if it is still at ``expected``; False if it moved meanwhile."""
    with branch_lock(gitdir, branch):
        repo = pygit2.Repository(str(gitdir), RepositoryOpenFlag.NO_SEARCH)
        try:
            ensure_writable(repo, gitdir, branch)
            reference = repo.references.get(HEADS + branch)
            current = None if reference is None else str(reference.target)
            if current != expected:
                return False
            repo.references.create(HEADS + branch, pygit2.Oid(hex=sha), force=True)
            return True
        finally:
            repo.free()


def merged_upstream(gitdir: Path, ours: str, theirs: str, limit: int = 100) -> bool:
    """True if every commit of ``ours`` missing from ``theirs`` is a draftroom merge commit
    whose parents ``theirs`` already holds: the upstream merged the same work itself (as a
    pull request), so taking ``theirs`` loses nothing.
    """
    repo = pygit2.Repository(str(gitdir), RepositoryOpenFlag.NO_SEARCH)
    try:
        walker = repo.walk(pygit2.Oid(hex=ours))
        walker.hide(pygit2.Oid(hex=theirs))
        target = pygit2.Oid(hex=theirs)
        for count, commit in enumerate(walker):
            if count >= limit or MERGE_TRAILER not in commit.message:
                return False
            for parent in commit.parent_ids:
                if parent != target and not repo.descendant_of(target, parent):
                    return False
        return True
    finally:
        repo.free()
