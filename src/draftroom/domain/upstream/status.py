"""How a sandbox branch stands against its upstream, for ``sandbox.status``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.sandboxes import BASE_BRANCH, SandboxAccess
from draftroom.errors import RefNotFound
from draftroom.git import Repository

UpstreamState = Literal["synced", "pending", "failed", "diverged", "none"]


@dataclass(frozen=True)
class UpstreamStatus:
    """``pending`` counts the branch's commits the upstream does not have yet."""

    state: UpstreamState
    pending: int = 0
    last_error: str | None = None


def upstream_status(
    session: Session, repository_id: int, repo: Repository, branch: str, head: str
) -> UpstreamStatus:
    if store.get_upstream(session, repository_id) is None:
        return UpstreamStatus("none")
    entry = store.get_outbox_entry(session, repository_id, branch)
    base = entry.pushed_sha if entry is not None and entry.pushed_sha else BASE_BRANCH
    try:
        pending = repo.ahead_behind(head, base)[0]
    except RefNotFound:
        pending = repo.ahead_behind(head, BASE_BRANCH)[0]
    if entry is None:
        return UpstreamStatus("pending" if pending else "synced", pending)
    if entry.state in ("diverged", "failed"):
        return UpstreamStatus(entry.state, pending, entry.last_error)
    if entry.state == "synced" and entry.pushed_sha == head:
        return UpstreamStatus("synced", 0)
    return UpstreamStatus("pending", pending, entry.last_error)


def sandbox_upstream_status(session: Session, access: SandboxAccess, head: str) -> UpstreamStatus:
    """``upstream_status`` of the sandbox a reuse token opened."""
    sandbox = store.get_sandbox_by_id(session, access.sandbox_id)
    if sandbox is None:
        return UpstreamStatus("none")
    return upstream_status(session, sandbox.repository_id, access.repo, access.branch, head)
