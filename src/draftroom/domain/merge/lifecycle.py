"""A sandbox's life after its first commit: merged, archived, restored, and how it stands.

Archiving keeps everything: the branch moves to ``refs/draftroom/archive/`` and the tokens
stay valid but are refused while archived, so restoring brings the same sandbox back with
its history and tokens. ``archive`` and ``unarchive`` act for an admin scope on any of the
org's sandboxes, and for a signed-in person (the console) on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.access import (
    ARCHIVE_REF,
    BASE_BRANCH,
    SandboxAccess,
    archived_refusal,
    find_person,
    repository_record,
    steers,
)
from draftroom.domain.calls import Call, Services
from draftroom.domain.commits import own_rollbacks
from draftroom.domain.merge.views import MergeRequestView, view
from draftroom.errors import Conflict, NotFound
from draftroom.git import Repository

State = Literal["active", "merged", "archived"]
LAST_ROLLBACKS = 5


@dataclass(frozen=True)
class Standing:
    """Where a sandbox stands beyond its commits (for ``sandbox.status``)."""

    state: State
    merge_request: MergeRequestView | None
    last_rollbacks: list[dict[str, Any]]
    """Newest first: reverted_sha, reason, at, files (from ``.logs/reverted_commits.yaml``)."""


@dataclass(frozen=True)
class SandboxView:
    id: int
    repo_name: str
    branch: str
    status: store.SandboxStatus
    state: State
    created_at: datetime
    project_name: str | None
    head: str | None
    merge_request: MergeRequestView | None
    last_used_at: datetime | None
    """When one of its reuse tokens was last used (to the minute); None if never."""
    person: str | None = None
    """The email of the person it was started for; None: started with a service key."""


def state_of(
    repo: Repository,
    sandbox: store.Sandbox,
    latest: store.MergeRequest | None,
    head: str | None,
) -> State:
    """Merged (its last request merged, by squash or with ``main`` having its head),
    archived, or active."""
    if latest is None or latest.status != "merged" or head is None:
        return "archived" if sandbox.status == "archived" else "active"
    if latest.preview.get("strategy") == "squash":
        if sandbox.status == "archived" or head == latest.source_sha:
            return "merged"
    elif sandbox.status != "archived" and repo.is_ancestor(head, BASE_BRANCH):
        return "merged"
    return "archived" if sandbox.status == "archived" else "active"


def standing(session: Session, access: SandboxAccess, head: str) -> Standing:
    """Where the sandbox stands; an archived one answers only when its merge archived it."""
    sandbox = store.get_sandbox_by_id(session, access.sandbox_id)
    assert sandbox is not None  # open_sandbox just found it
    latest = store.latest_merge_request(session, sandbox.id)
    state = state_of(access.repo, sandbox, latest, head)
    if access.archived and state != "merged":
        raise archived_refusal(session, sandbox)
    rollbacks = [
        {
            "reverted_sha": str(record.get("reverted_sha", "")),
            "reason": str(record.get("reason") or ""),
            "at": str(record.get("at", "")),
            "files": [str(f) for f in record.get("files") or [] if isinstance(f, str)],
        }
        for record in own_rollbacks(access.repo, head, access.branch)[-LAST_ROLLBACKS:]
    ]
    return Standing(
        state=state,
        merge_request=view(latest) if latest else None,
        last_rollbacks=rollbacks[::-1],
    )


def _head(repo: Repository, sandbox: store.Sandbox) -> str | None:
    ref = ARCHIVE_REF + sandbox.branch if sandbox.status == "archived" else sandbox.branch
    try:
        return repo.resolve(ref)
    except NotFound:
        return None


def _view(call: Call, session: Session, sandbox: store.Sandbox) -> SandboxView:
    repo = call.services.git(sandbox.repository.path)
    head = _head(repo, sandbox)
    latest = store.latest_merge_request(session, sandbox.id)
    return SandboxView(
        id=sandbox.id,
        repo_name=sandbox.repository.name,
        branch=sandbox.branch,
        status=sandbox.status,
        state=state_of(repo, sandbox, latest, head),
        created_at=sandbox.created_at,
        project_name=sandbox.project_name,
        head=head,
        merge_request=view(latest) if latest else None,
        last_used_at=max(
            (
                t.last_used_at
                for t in store.list_reuse_tokens(session, sandbox.id)
                if t.last_used_at
            ),
            default=None,
        ),
        person=_email_of(session, sandbox.created_for_user_id),
    )


def _email_of(session: Session, user_id: int | None) -> str | None:
    user = store.get_user_by_id(session, user_id) if user_id is not None else None
    return user.email if user is not None else None


def list_sandboxes(
    call: Call,
    *,
    repo_name: str | None = None,
    status: store.SandboxStatus | None = None,
    before_id: int | None = None,
    limit: int = 50,
    person: str | None = None,
) -> list[SandboxView]:
    """The org's sandboxes, newest first; ``before_id`` pages; ``person`` (an email, removed
    people too) keeps those started for that person. A signed-in person sees only their own."""
    session = call.session
    if repo_name:
        repositories = [repository_record(call, session, repo_name)]
    else:
        repositories = list(store.list_repositories(session, call.principal.org_id))
    user_id = find_person(call, session, person, live=False).id if person else None
    if call.principal.signed_in:
        user_id = call.principal.user_id
    found = [
        sandbox
        for record in repositories
        for sandbox in store.list_sandboxes(
            session, repository_id=record.id, status=status, created_for_user_id=user_id
        )
        if before_id is None or sandbox.id < before_id
    ]
    found.sort(key=lambda sandbox: sandbox.id, reverse=True)
    return [_view(call, session, sandbox) for sandbox in found[:limit]]


def _find(call: Call, session: Session, sandbox_id: int) -> store.Sandbox:
    sandbox = store.get_sandbox_by_id(session, sandbox_id)
    org = sandbox is not None and sandbox.repository.org_id == call.principal.org_id
    if sandbox is None or not org or not steers(call.principal, sandbox):
        raise NotFound(
            f"no sandbox #{sandbox_id}; list them with sandbox.list",
            sandbox_id=sandbox_id,
        )
    call.audit.repo = sandbox.repository.name
    call.audit.branch = sandbox.branch
    return sandbox


def archive(call: Call, sandbox_id: int) -> SandboxView:
    """Set the sandbox aside: its branch ref is kept under ``refs/draftroom/archive/``."""
    session = call.session
    sandbox = _find(call, session, sandbox_id)
    if sandbox.status == "archived":
        raise Conflict(f"sandbox #{sandbox_id} is already archived; restore it first")
    call.save()  # before git work (SQLite's write lock)
    archive_sandbox(call.services, sandbox)
    return _view(call, session, sandbox)


def archive_sandbox(services: Services, sandbox: store.Sandbox) -> None:
    """Move its branch under ``refs/draftroom/archive/`` and mark it archived (the caller
    commits): what ``sandbox.archive`` and maintenance's idle sweep both do."""
    services.git(sandbox.repository.path).archive_branch(sandbox.branch)
    sandbox.status = "archived"


def unarchive(call: Call, sandbox_id: int) -> SandboxView:
    """Bring an archived sandbox back, branch and tokens as they were."""
    session = call.session
    sandbox = _find(call, session, sandbox_id)
    if sandbox.status != "archived":
        raise Conflict(f"sandbox #{sandbox_id} is {sandbox.status}, not archived")
    repo = call.services.git(sandbox.repository.path)
    call.save()  # before git work (SQLite's write lock)
    head = repo.restore_branch(sandbox.branch)
    sandbox.status = "active"
    latest = store.latest_merge_request(session, sandbox.id)
    if state_of(repo, sandbox, latest, head) == "merged":
        sandbox.status = "merged"
    return _view(call, session, sandbox)
