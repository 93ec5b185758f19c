"""A merge request as callers see it: what every merge tool answers with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from draftroom import store
from draftroom.git import Diff


def _email(user: store.User | None) -> str | None:
    """The email of the person a key acted for; None for a service key or the CLI."""
    return user.email if user else None


@dataclass(frozen=True)
class MergeRequestView:
    """A merge request as callers see it, detached from the database session."""

    id: int
    repo_name: str
    branch: str
    title: str
    description: str | None
    status: store.MergeRequestStatus
    source_sha: str
    created_at: datetime
    requested_by: str | None
    requested_by_person: str | None
    decided_at: datetime | None
    decided_by: str | None
    decided_by_person: str | None
    decision_note: str | None
    merge_sha: str | None
    preview: dict[str, Any]
    patch: Diff | None = None


def view(request: store.MergeRequest, preview: dict[str, Any] | None = None) -> MergeRequestView:
    return MergeRequestView(
        id=request.id,
        repo_name=request.repository.name,
        branch=request.branch,
        title=request.title,
        description=request.description,
        status=request.status,
        source_sha=request.source_sha,
        created_at=request.created_at,
        requested_by=request.requested_by_key_id,
        requested_by_person=_email(request.requested_by_user),
        decided_at=request.decided_at,
        decided_by=request.decided_by_key_id,
        decided_by_person=_email(request.decided_by_user),
        decision_note=request.decision_note,
        merge_sha=request.merge_sha,
        preview=request.preview if preview is None else preview,
    )
