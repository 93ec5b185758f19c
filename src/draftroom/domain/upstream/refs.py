"""The refs draftroom keeps for its upstream.

``refs/draftroom/outbox/<branch>`` pins the exact commit a push sends (the branch may move
while the push runs); ``refs/draftroom/upstream/<branch>`` is what a fetch last saw;
``refs/draftroom/replaced/<branch>`` keeps the side an admin's resolution gave up, so no
commit becomes unreachable. Every ref moves through the engine (``Repository.set_ref``),
branches under its branch lock; nothing here opens git itself.
"""

from __future__ import annotations

from draftroom.git import Repository

HEADS = "refs/heads/"
OUTBOX = "refs/draftroom/outbox/"
TRACKING = "refs/draftroom/upstream/"
REPLACED = "refs/draftroom/replaced/"
MERGE_TRAILER = "Draftroom-Merge-Request:"


def move_branch(repo: Repository, branch: str, sha: str, *, expected: str | None) -> bool:
    """Set ``branch`` to ``sha`` if it is still at ``expected``; False if it moved meanwhile."""
    return repo.set_ref(
        HEADS + branch, sha, expected=expected, message=f"draftroom: follow upstream to {sha}"
    )


def pin(repo: Repository, name: str, sha: str) -> None:
    """Point ``name`` (a ref only draftroom writes) at ``sha``, wherever it was."""
    repo.set_ref(name, sha, force=True, message="draftroom: upstream bookkeeping")


def merged_upstream(repo: Repository, ours: str, theirs: str, limit: int = 100) -> bool:
    """True if every commit of ``ours`` missing from ``theirs`` is a draftroom merge commit
    whose parents ``theirs`` already holds: the upstream merged the same work itself (as a
    pull request), so taking ``theirs`` loses nothing.
    """
    return repo.only_merges_since(ours, theirs, MERGE_TRAILER, limit)
