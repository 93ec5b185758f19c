"""How a sandbox branch, and ``main``, stand against the upstream, for ``sandbox.status``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.access import BASE_BRANCH, SandboxAccess
from draftroom.errors import RefNotFound
from draftroom.git import Repository

UpstreamState = Literal["synced", "pending", "failed", "diverged", "none"]
MainUpstreamState = Literal["synced", "ahead", "diverged", "none"]


@dataclass(frozen=True)
class MainStatus:
    """``main`` against the upstream's, as the last fetch and push of ``main`` left it.

    ``ahead``: an approved merge not published yet; ``diverged``: both moved, an admin resolves.
    """

    state: MainUpstreamState
    error: str | None = None


@dataclass(frozen=True)
class UpstreamStatus:
    """``pending`` counts the branch's commits the upstream does not have yet."""

    state: UpstreamState
    pending: int = 0
    last_error: str | None = None
    main: MainStatus = MainStatus("none")


def main_status(session: Session, repository_id: int) -> MainStatus:
    upstream = store.get_upstream(session, repository_id)
    if upstream is None:
        return MainStatus("none")
    entry = store.get_outbox_entry(session, repository_id, BASE_BRANCH)
    if entry is not None and entry.state == "diverged":
        return MainStatus("diverged", entry.last_error)
    if upstream.main_state == "diverged":
        message = diverged_main_message(upstream.repository.name, upstream.main_branch)
        return MainStatus("diverged", message)
    return MainStatus(upstream.main_state, upstream.fetch_error)


def diverged_main_message(repo_name: str, main_branch: str) -> str:
    return (
        f"main and the upstream's {main_branch!r} both have commits the other lacks, so "
        f"neither is updated; an admin runs 'draftroom repo resolve {repo_name} main "
        "--adopt-theirs' (or '--force-ours' to overwrite the upstream's)"
    )


def upstream_status(
    session: Session, repository_id: int, repo: Repository, branch: str, head: str
) -> UpstreamStatus:
    if store.get_upstream(session, repository_id) is None:
        return UpstreamStatus("none")
    main = main_status(session, repository_id)
    entry = store.get_outbox_entry(session, repository_id, branch)
    base = entry.pushed_sha if entry is not None and entry.pushed_sha else BASE_BRANCH
    try:
        pending = repo.ahead_behind(head, base)[0]
    except RefNotFound:
        pending = repo.ahead_behind(head, BASE_BRANCH)[0]
    if entry is None:
        return UpstreamStatus("pending" if pending else "synced", pending, main=main)
    if entry.state in ("diverged", "failed"):
        return UpstreamStatus(entry.state, pending, entry.last_error, main)
    if entry.state == "synced" and entry.pushed_sha == head:
        return UpstreamStatus("synced", 0, main=main)
    return UpstreamStatus("pending", pending, entry.last_error, main)


def sandbox_upstream_status(session: Session, access: SandboxAccess, head: str) -> UpstreamStatus:
    """``upstream_status`` of the sandbox a reuse token opened."""
    sandbox = store.get_sandbox_by_id(session, access.sandbox_id)
    if sandbox is None:
        return UpstreamStatus("none")
    return upstream_status(session, sandbox.repository_id, access.repo, access.branch, head)
