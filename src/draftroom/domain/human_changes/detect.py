"""Which commits ``main`` gained were made by a person, not through draftroom.

Draftroom's own commits carry ``Draftroom-*`` trailers (every tool commit, squash and merge)
or are named by an audit row; a merge commit brings nothing of its own (the commits it
merges are listed one by one), so neither counts as a person's change.
"""

from __future__ import annotations

from collections.abc import Set

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.git import LogEntry, Repository

TRAILER_PREFIX = "Draftroom-"
MAX_COMMITS = 200
"""The newest commits looked at per fetch; a larger jump tells only about these."""


def made_by_draftroom(entry: LogEntry, audited: Set[str]) -> bool:
    if entry.sha in audited or len(entry.parents) > 1:
        return True
    return any(name.startswith(TRAILER_PREFIX) for name in entry.trailers)


def human_commits(
    session: Session, repo: Repository, old: str, new: str, limit: int = MAX_COMMITS
) -> list[LogEntry]:
    """The commits from ``old`` to ``new`` a person made, oldest first."""
    entries = repo.commits_between(old, new, limit)
    audited = store.audited_shas(session, [entry.sha for entry in entries])
    return [entry for entry in entries if not made_by_draftroom(entry, audited)]
