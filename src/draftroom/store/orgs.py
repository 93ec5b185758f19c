"""Orgs: the tenants that own repositories and API keys."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from draftroom.store.models import Org
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
