"""Merge request records: what a sandbox asked to merge into ``main`` and what a human decided."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from draftroom.store.models import MergeRequest, MergeRequestStatus, RepositoryRecord


def add_merge_request(
    session: Session,
    *,
    repository_id: int,
    sandbox_id: int,
    branch: str,
    title: str,
    source_sha: str,
    preview: dict[str, Any],
    description: str | None = None,
    requested_by_key_id: str | None = None,
    requested_by_user_id: int | None = None,
) -> MergeRequest:
    """Record a new pending request."""
    request = MergeRequest(
        repository_id=repository_id,
        sandbox_id=sandbox_id,
        branch=branch,
        title=title,
        description=description,
        status="pending",
        source_sha=source_sha,
        preview=preview,
        requested_by_key_id=requested_by_key_id,
        requested_by_user_id=requested_by_user_id,
    )
    session.add(request)
    session.flush()
    return request


def get_merge_request(session: Session, merge_request_id: int) -> MergeRequest | None:
    return session.get(MergeRequest, merge_request_id)


def list_merge_requests(
    session: Session,
    *,
    org_id: int | None = None,
    repository_id: int | None = None,
    sandbox_id: int | None = None,
    status: MergeRequestStatus | None = None,
    before_id: int | None = None,
    limit: int | None = None,
) -> Sequence[MergeRequest]:
    """Requests, newest first; ``before_id`` pages (pass the last id of the previous page)."""
    conditions: list[ColumnElement[bool]] = []
    query = select(MergeRequest)
    if org_id is not None:
        query = query.join(RepositoryRecord, RepositoryRecord.id == MergeRequest.repository_id)
        conditions.append(RepositoryRecord.org_id == org_id)
    if repository_id is not None:
        conditions.append(MergeRequest.repository_id == repository_id)
    if sandbox_id is not None:
        conditions.append(MergeRequest.sandbox_id == sandbox_id)
    if status is not None:
        conditions.append(MergeRequest.status == status)
    if before_id is not None:
        conditions.append(MergeRequest.id < before_id)
    query = query.where(*conditions).order_by(MergeRequest.id.desc()).limit(limit)
    return session.scalars(query).all()


def latest_merge_request(session: Session, sandbox_id: int) -> MergeRequest | None:
    """The sandbox's newest request, whatever its status."""
    found = list_merge_requests(session, sandbox_id=sandbox_id, limit=1)
    return found[0] if found else None
