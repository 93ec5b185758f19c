"""The console's merge request queue: one page of an org's requests, pending ones first."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, case, select
from sqlalchemy.orm import Session, joinedload

from draftroom.store.models import MergeRequest, MergeRequestStatus, RepositoryRecord


def merge_request_queue(
    session: Session,
    org_id: int,
    *,
    repository_id: int | None = None,
    status: MergeRequestStatus | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Sequence[MergeRequest]:
    """Pending requests first, then the rest; newest first within each. Loads each row's
    repository and the person who asked in the same query (no query per row)."""
    conditions: list[ColumnElement[bool]] = [RepositoryRecord.org_id == org_id]
    if repository_id is not None:
        conditions.append(MergeRequest.repository_id == repository_id)
    if status is not None:
        conditions.append(MergeRequest.status == status)
    pending_first = case((MergeRequest.status == "pending", 0), else_=1)
    query = (
        select(MergeRequest)
        .join(RepositoryRecord, RepositoryRecord.id == MergeRequest.repository_id)
        .where(*conditions)
        .options(
            joinedload(MergeRequest.repository),
            joinedload(MergeRequest.requested_by_user),
            joinedload(MergeRequest.decided_by_user),
        )
        .order_by(pending_first, MergeRequest.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return session.scalars(query).unique().all()
