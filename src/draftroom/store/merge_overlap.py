"""What a merge request's overlap check reads: the repository's other open sandboxes and
requests, and the requests already merged since a time. Bounded reads only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from draftroom.store.models import MergeRequest, Sandbox


def recent_active_sandboxes(
    session: Session, repository_id: int, *, exclude_id: int, limit: int
) -> Sequence[Sandbox]:
    """The repository's active sandboxes but one, most recently active first."""
    query = (
        select(Sandbox)
        .where(
            Sandbox.repository_id == repository_id,
            Sandbox.status == "active",
            Sandbox.id != exclude_id,
        )
        .order_by(Sandbox.last_active_at.desc().nulls_last(), Sandbox.id.desc())
        .limit(limit)
    )
    return session.scalars(query).all()


def pending_requests(
    session: Session, repository_id: int, *, exclude_sandbox_id: int, limit: int
) -> Sequence[MergeRequest]:
    """The repository's pending requests of other sandboxes, newest first."""
    query = (
        select(MergeRequest)
        .where(
            MergeRequest.repository_id == repository_id,
            MergeRequest.status == "pending",
            MergeRequest.sandbox_id != exclude_sandbox_id,
        )
        .order_by(MergeRequest.id.desc())
        .limit(limit)
    )
    return session.scalars(query).all()


def merged_requests_since(
    session: Session, repository_id: int, since: datetime, *, limit: int
) -> Sequence[MergeRequest]:
    """The repository's requests merged at or after ``since``, newest first."""
    query = (
        select(MergeRequest)
        .where(
            MergeRequest.repository_id == repository_id,
            MergeRequest.status == "merged",
            MergeRequest.decided_at >= since,
        )
        .order_by(MergeRequest.id.desc())
        .limit(limit)
    )
    return session.scalars(query).all()
