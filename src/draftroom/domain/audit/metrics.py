"""Counts that summarise a sandbox, from the audit trail (calls) and git (content)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from draftroom import store


def tool_counts(session: Session, repo: str, branch: str) -> dict[tuple[str, str], int]:
    """(tool, outcome) -> number of calls on one sandbox."""
    return store.tool_counts(session, repo, branch)
