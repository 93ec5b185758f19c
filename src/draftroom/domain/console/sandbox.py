"""One sandbox's console page: who may open it, and everything it shows.

A member opens only the sandboxes started for them (another person's answers 403); reviewers
and owners open any of their org's. A repository or branch the org does not have answers 404,
so another org's sandbox looks exactly like a missing one. The workspace files (tasks,
memory, reasoning) are read from the sandbox's own branch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.access import BASE_BRANCH, SandboxAccess, holds
from draftroom.domain.calls import Principal, Services
from draftroom.domain.console.history import (
    Changes,
    History,
    OperationLine,
    RollbackWords,
    changes,
    history,
    operation_lines,
    rollback_words,
)
from draftroom.domain.console.sandboxes import sandbox_head
from draftroom.domain.console.scope import sees_everyone
from draftroom.domain.workspace import (
    MemoryEntry,
    ReasoningEntry,
    Task,
    memory_entries,
    reasoning_entries,
    tasks_of,
)
from draftroom.errors import Forbidden, NotFound, WorkspaceFileInvalid
from draftroom.git import Repository

WORKSPACE_LIMIT = 100
"""Tasks, memories and reasoning entries shown (the newest)."""


@dataclass(frozen=True)
class Workspace:
    tasks: list[Task]
    memories: list[MemoryEntry]
    """Newest first."""
    reasoning: list[ReasoningEntry]
    """Newest first."""
    invalid_files: list[str]


@dataclass(frozen=True)
class SandboxPage:
    id: int
    repo_name: str
    branch: str
    status: store.SandboxStatus
    project_name: str | None
    person_email: str | None
    person_name: str | None
    created_at: datetime
    active_at: datetime
    head: str | None
    ahead: int
    behind: int
    history: History
    operations: list[OperationLine]
    rollbacks: list[RollbackWords]
    changes: Changes
    workspace: Workspace
    may_steer: bool
    """Whether archive, restore and new reuse tokens are offered (owners, or its person)."""


def find_sandbox(
    session: Session, principal: Principal, repo_name: str, branch: str
) -> store.Sandbox:
    """The sandbox the page names, if ``principal`` may open it (else 404, or 403 for a
    member opening another person's)."""
    record = store.find_repository(session, principal.org_id, repo_name)
    sandbox = store.get_sandbox(session, record.id, branch) if record is not None else None
    if sandbox is None:
        raise NotFound(f"no sandbox {branch!r} in repository {repo_name!r}")
    if not sees_everyone(principal) and sandbox.created_for_user_id != principal.user_id:
        raise Forbidden("this sandbox is another person's; members see only their own")
    return sandbox


def sandbox_page(
    services: Services, session: Session, principal: Principal, repo_name: str, branch: str
) -> SandboxPage:
    sandbox = find_sandbox(session, principal, repo_name, branch)
    record = sandbox.repository
    repo = services.git(record.path)
    head = sandbox_head(repo, sandbox.branch, sandbox.status)
    person = store.get_user_by_id(session, sandbox.created_for_user_id or 0)
    own = principal.user_id is not None and sandbox.created_for_user_id == principal.user_id
    access = SandboxAccess(
        record.name,
        repo,
        sandbox.branch,
        sandbox.id,
        principal.api_key_id,
        archived=sandbox.status == "archived",
    )
    ops = operation_lines(access, head) if head else []
    story = history(repo, head, {o.sha: o.undone_by for o in ops if o.undone_by}) if head else None
    known = {c.sha: c for c in story.commits} if story else {}
    ahead, behind = repo.ahead_behind(head, BASE_BRANCH) if head else (0, 0)
    return SandboxPage(
        id=sandbox.id,
        repo_name=record.name,
        branch=sandbox.branch,
        status=sandbox.status,
        project_name=sandbox.project_name,
        person_email=person.email if person else None,
        person_name=person.name if person else None,
        created_at=sandbox.created_at,
        active_at=sandbox.last_active_at or sandbox.created_at,
        head=head,
        ahead=ahead,
        behind=behind,
        history=story or History([], False),
        operations=ops,
        rollbacks=rollback_words(repo, head, sandbox.branch, known) if head else [],
        changes=changes(repo, head, services.settings.max_patch_bytes)
        if head
        else Changes([], False),
        workspace=workspace(repo, head) if head else Workspace([], [], [], []),
        may_steer=own or holds(principal, "admin"),
    )


def workspace(repo: Repository, head: str) -> Workspace:
    """Tasks, memories and the reasoning trace at ``head``; a file that does not parse is
    named in ``invalid_files`` and shown as empty."""
    invalid: list[str] = []
    tasks: list[Task] = []
    memories: list[MemoryEntry] = []
    reasoning: list[ReasoningEntry] = []
    try:
        tasks = list(tasks_of(repo, head))[:WORKSPACE_LIMIT]
    except WorkspaceFileInvalid as exc:
        invalid.append(str(exc.details.get("path")))
    try:
        memories = list(memory_entries(repo, head))[::-1][:WORKSPACE_LIMIT]
    except WorkspaceFileInvalid as exc:
        invalid.append(str(exc.details.get("path")))
    try:
        reasoning = list(reasoning_entries(repo, head))[::-1][:WORKSPACE_LIMIT]
    except WorkspaceFileInvalid as exc:
        invalid.append(str(exc.details.get("path")))
    return Workspace(tasks, memories, reasoning, invalid)
