"""Sandbox records: one per assistant branch in a repository."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from draftroom.errors import AlreadyExists
from draftroom.store.conflicts import unique_as_already_exists
from draftroom.store.models import Sandbox, SandboxStatus


def add_sandbox(
    session: Session,
    repository_id: int,
    branch: str,
    created_by_key_id: str | None,
    project_name: str | None = None,
    created_for_user_id: int | None = None,
) -> Sandbox:
    """Record a new active sandbox; ``AlreadyExists`` if the branch already has one."""
    error = AlreadyExists(
        f"a sandbox already uses branch '{branch}'; reuse it with its token or pick another branch",
        branch=branch,
    )
    if get_sandbox(session, repository_id, branch) is not None:
        raise error
    sandbox = Sandbox(
        repository_id=repository_id,
        branch=branch,
        created_by_key_id=created_by_key_id,
        project_name=project_name,
        created_for_user_id=created_for_user_id,
        status="active",
    )
    with unique_as_already_exists(error):
        session.add(sandbox)
        session.flush()
    return sandbox


def get_sandbox(session: Session, repository_id: int, branch: str) -> Sandbox | None:
    query = select(Sandbox).where(Sandbox.repository_id == repository_id, Sandbox.branch == branch)
    return session.scalars(query).one_or_none()


def get_sandbox_by_id(session: Session, sandbox_id: int) -> Sandbox | None:
    return session.get(Sandbox, sandbox_id)


def _conditions(
    repository_id: int | None, status: SandboxStatus | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if repository_id is not None:
        conditions.append(Sandbox.repository_id == repository_id)
    if status is not None:
        conditions.append(Sandbox.status == status)
    return conditions


def list_sandboxes(
    session: Session,
    repository_id: int | None = None,
    status: SandboxStatus | None = None,
    limit: int | None = None,
    created_for_user_id: int | None = None,
) -> Sequence[Sandbox]:
    """Sandboxes, newest first, optionally of one repository, status and/or person."""
    conditions = _conditions(repository_id, status)
    if created_for_user_id is not None:
        conditions.append(Sandbox.created_for_user_id == created_for_user_id)
    query = select(Sandbox).where(*conditions)
    query = query.order_by(Sandbox.created_at.desc(), Sandbox.id.desc()).limit(limit)
    return session.scalars(query).all()


def count_sandboxes(
    session: Session, repository_id: int | None = None, status: SandboxStatus | None = None
) -> int:
    query = select(func.count()).select_from(Sandbox).where(*_conditions(repository_id, status))
    return session.scalar(query) or 0


def count_sandboxes_by_key(
    session: Session, api_key_id: str, status: SandboxStatus | None = "active"
) -> int:
    """How many sandboxes (of ``status``) one API key created."""
    conditions = [Sandbox.created_by_key_id == api_key_id, *_conditions(None, status)]
    return session.scalar(select(func.count()).select_from(Sandbox).where(*conditions)) or 0
