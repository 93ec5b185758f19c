"""Instance-wide counts an operator scrapes (``/metrics``) and the database probe (``/ready``).

Every org's rows: metrics carry no org id, only states and counts.
"""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from draftroom.store.models import MergeRequest
from draftroom.store.outbox import OutboxEntry


def merge_requests_by_state(session: Session) -> dict[str, int]:
    """status -> merge requests in it, across every org."""
    query = select(MergeRequest.status, func.count()).group_by(MergeRequest.status)
    return {str(state): int(count) for state, count in session.execute(query).all()}


def outbox_by_state(session: Session) -> dict[str, int]:
    """state -> branches in the upstream outbox, across every org (``synced``: nothing owed)."""
    query = select(OutboxEntry.state, func.count()).group_by(OutboxEntry.state)
    return {str(state): int(count) for state, count in session.execute(query).all()}


def ping(session: Session) -> None:
    """One round trip to the database; raises when it cannot answer."""
    session.execute(text("SELECT 1"))
