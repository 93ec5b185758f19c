"""The console's merge request pages: the queue (pending first) and one request with its
diff line by line, its conflicts and the other open work touching the same files.

Reads only; approving and rejecting go through the ``merge.approve`` / ``merge.reject``
tools. Another org's request answers exactly like a missing one. Git work only for the one
request shown, never per queue row: the queue reads what each request stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast, get_args

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.calls import Principal, Services
from draftroom.domain.console.diff import FileDiff, file_diff
from draftroom.domain.merge import MergeRequestView, live_view, request_patch
from draftroom.errors import InvalidInput, NotFound

PAGE_ROWS = 50
PATCH_BYTES = 400_000
"""Patch text one request page shows; files past it are listed without their lines."""
MERGE_REQUEST_STATES: tuple[str, ...] = get_args(store.MergeRequestStatus)


@dataclass(frozen=True)
class QueueRow:
    id: int
    title: str
    repo_name: str
    branch: str
    status: store.MergeRequestStatus
    asked_by: str
    created_at: datetime
    files_total: int
    additions: int
    deletions: int


@dataclass(frozen=True)
class Queue:
    rows: list[QueueRow]
    repositories: list[str]
    page: int
    has_next: bool


@dataclass(frozen=True)
class MergeRequestQuery:
    state: store.MergeRequestStatus | None = None
    repository: str | None = None
    page: int = 1


QUEUE_PARAMETERS = ("state", "repository", "page")
MAX_PAGE = 10_000


def merge_request_queue_query(params: dict[str, str]) -> MergeRequestQuery:
    """The queue's filters from a query string, strictly: an unknown parameter or a bad value
    is ``InvalidInput`` naming it. An empty value means no filter."""
    unknown = sorted(set(params) - set(QUEUE_PARAMETERS))
    if unknown:
        raise InvalidInput(f"{unknown[0]}: not a filter here; use {', '.join(QUEUE_PARAMETERS)}")
    state = params.get("state") or None
    if state is not None and state not in MERGE_REQUEST_STATES:
        raise InvalidInput(f"state must be one of {', '.join(MERGE_REQUEST_STATES)}")
    repository = params.get("repository") or None
    if repository is not None and len(repository) > 200:
        raise InvalidInput("repository: a name is at most 200 characters")
    page_text = params.get("page") or "1"
    if not page_text.isascii() or not page_text.isdigit() or not 1 <= int(page_text) <= MAX_PAGE:
        raise InvalidInput(f"page must be a whole number from 1 to {MAX_PAGE}")
    status = cast(
        "store.MergeRequestStatus | None", state
    )  # checked against MERGE_REQUEST_STATES above
    return MergeRequestQuery(state=status, repository=repository, page=int(page_text))


def _asked_by(request: store.MergeRequest) -> str:
    if request.requested_by_user is not None:
        return request.requested_by_user.email
    return f"key {request.requested_by_key_id}" if request.requested_by_key_id else "the CLI"


def _repository_id(session: Session, principal: Principal, name: str | None) -> int | None:
    if name is None:
        return None
    record = store.get_repository(session, principal.org_id, name)
    if record is None:
        raise InvalidInput(f"repository: no repository named {name!r} in this org")
    return record.id


def merge_request_queue(session: Session, principal: Principal, query: MergeRequestQuery) -> Queue:
    """One page of the org's requests, pending first (then newest first)."""
    found = store.merge_request_queue(
        session,
        principal.org_id,
        repository_id=_repository_id(session, principal, query.repository),
        status=query.state,
        offset=(query.page - 1) * PAGE_ROWS,
        limit=PAGE_ROWS + 1,
    )
    rows = [
        QueueRow(
            id=request.id,
            title=request.title,
            repo_name=request.repository.name,
            branch=request.branch,
            status=request.status,
            asked_by=_asked_by(request),
            created_at=request.created_at,
            files_total=int(request.preview.get("files_total") or 0),
            additions=int(request.preview.get("additions") or 0),
            deletions=int(request.preview.get("deletions") or 0),
        )
        for request in found[:PAGE_ROWS]
    ]
    names = [record.name for record in store.list_repositories(session, principal.org_id)]
    return Queue(rows, names, query.page, has_next=len(found) > PAGE_ROWS)


@dataclass(frozen=True)
class MergeRequestPage:
    request: MergeRequestView
    files: list[FileDiff]
    overlapping: list[dict[str, Any]]
    published: dict[str, Any] | None


def merge_request_page(
    session: Session, principal: Principal, services: Services, merge_request_id: int
) -> MergeRequestPage:
    """One request of the caller's org; a pending one previewed against ``main`` as it is now."""
    request = store.get_merge_request(session, merge_request_id)
    if request is None or request.repository.org_id != principal.org_id:
        raise NotFound(f"no merge request #{merge_request_id}", merge_request_id=merge_request_id)
    repo = services.git(request.repository.path)
    shown = live_view(session, repo, request)
    diff = request_patch(repo, request, PATCH_BYTES)
    return MergeRequestPage(
        request=shown,
        files=[file_diff(found) for found in diff.files],
        overlapping=list(shown.preview.get("overlapping") or []),
        published=shown.preview.get("published"),
    )
