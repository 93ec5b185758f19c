"""``main_overlap``: the files ``main`` changed since a sandbox's base that it changed too.

These are the files where ``sandbox.sync`` or a merge may meet a conflict; ``.logs/`` (merged
as a union) is left out.
"""

from __future__ import annotations

from draftroom.domain.access import BASE_BRANCH
from draftroom.domain.commits import changed_outside_logs
from draftroom.errors import RefNotFound
from draftroom.git import Repository

MAX_OVERLAP = 100


def main_overlap(repo: Repository, head: str) -> list[str]:
    """Sorted paths changed on both sides since the merge base (at most ``MAX_OVERLAP``)."""
    try:
        main = repo.head(BASE_BRANCH)
    except RefNotFound:
        return []
    base = repo.merge_base(head, main)
    if base is None or base in (main, head):
        return []
    theirs = set(changed_outside_logs(repo, base, main))
    ours = changed_outside_logs(repo, base, head)
    return [path for path in ours if path in theirs][:MAX_OVERLAP]
