"""Repository records: which git repositories on disk each org has registered."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from draftroom.errors import AlreadyExists
from draftroom.store.conflicts import unique_as_already_exists
from draftroom.store.models import Org, RepositoryRecord


def add_repository(session: Session, org_id: int, name: str, path: str) -> RepositoryRecord:
    """Register a repository; ``AlreadyExists`` if the org already uses ``name``."""
    error = AlreadyExists(
        f"repository '{name}' is already registered; pick another name or use the existing one",
        repo=name,
    )
    if get_repository(session, org_id, name) is not None:
        raise error
    record = RepositoryRecord(org_id=org_id, name=name, path=path)
    with unique_as_already_exists(error):
        session.add(record)
        session.flush()
    return record


def get_repository(session: Session, org_id: int, name: str) -> RepositoryRecord | None:
    query = select(RepositoryRecord).where(
        RepositoryRecord.org_id == org_id, RepositoryRecord.name == name
    )
    return session.scalars(query).one_or_none()


def find_repository(session: Session, org_id: int, repo_name: str) -> RepositoryRecord | None:
    """Org ``org_id``'s repository named ``NAME`` or ``SLUG/NAME`` (``SLUG`` its own slug).

    Another org's slug finds nothing, exactly like a name no org uses.
    """
    slug, qualified, name = repo_name.partition("/")
    query = select(RepositoryRecord).where(
        RepositoryRecord.org_id == org_id,
        RepositoryRecord.name == (name if qualified else repo_name),
    )
    if qualified:
        query = query.join(Org, Org.id == RepositoryRecord.org_id).where(Org.name == slug)
    return session.scalars(query).one_or_none()


def get_repository_by_id(session: Session, repository_id: int) -> RepositoryRecord | None:
    return session.get(RepositoryRecord, repository_id)


def list_repositories(session: Session, org_id: int) -> Sequence[RepositoryRecord]:
    """The org's repositories, by name."""
    query = (
        select(RepositoryRecord)
        .where(RepositoryRecord.org_id == org_id)
        .order_by(RepositoryRecord.name)
    )
    return session.scalars(query).all()
