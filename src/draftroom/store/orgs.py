"""Orgs: the tenants that own repositories, people and API keys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from draftroom.errors import AlreadyExists
from draftroom.store.conflicts import unique_as_already_exists
from draftroom.store.models import ApiKey, Org, RepositoryRecord, User
from draftroom.store.timestamps import utc_now


def get_org(session: Session, name: str) -> Org | None:
    return session.scalars(select(Org).where(Org.name == name)).one_or_none()


def get_or_create_org(session: Session, name: str) -> Org:
    """The org called ``name``, created if missing; safe when two processes race to create it."""
    org = get_org(session, name)
    if org is not None:
        return org
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    # ON CONFLICT DO NOTHING instead of catching IntegrityError: a failed flush would poison
    # the caller's session, and SAVEPOINTs are unreliable with pysqlite.
    session.execute(
        insert(Org)
        .values(name=name, created_at=utc_now())
        .on_conflict_do_nothing(index_elements=["name"])
    )
    return session.scalars(select(Org).where(Org.name == name)).one()


def get_org_by_id(session: Session, org_id: int) -> Org | None:
    return session.get(Org, org_id)


def add_org(session: Session, name: str, display_name: str | None = None) -> Org:
    """A new org; ``AlreadyExists`` if the slug is taken (also when another process won)."""
    error = AlreadyExists(f"an org named {name!r} already exists; pick another slug", org=name)
    if get_org(session, name) is not None:
        raise error
    org = Org(name=name, display_name=display_name)
    with unique_as_already_exists(error):
        session.add(org)
        session.flush()
    return org


def list_orgs(session: Session) -> Sequence[Org]:
    """Every org, by slug."""
    return session.scalars(select(Org).order_by(Org.name)).all()


@dataclass(frozen=True)
class OrgCounts:
    repositories: int
    people: int
    keys: int


def org_counts(session: Session, org_id: int) -> OrgCounts:
    """How many repositories, people (removed ones too) and API keys (revoked too) it has."""

    def count(model: type[RepositoryRecord] | type[User] | type[ApiKey]) -> int:
        query = select(func.count()).select_from(model).where(model.org_id == org_id)
        return int(session.scalar(query) or 0)

    return OrgCounts(count(RepositoryRecord), count(User), count(ApiKey))
