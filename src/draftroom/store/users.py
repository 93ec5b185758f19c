"""People: the members of an org and their roles. Password hashes only, never a password."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from draftroom.errors import AlreadyExists
from draftroom.store.conflicts import unique_as_already_exists
from draftroom.store.models import PersonRole, User


def add_user(
    session: Session,
    org_id: int,
    email: str,
    role: PersonRole,
    name: str | None = None,
    password_hash: str | None = None,
) -> User:
    """Add a person; ``AlreadyExists`` if the org has one with ``email`` (removed ones too)."""
    error = AlreadyExists(f"a person with email {email!r} is already in this org", email=email)
    if get_user(session, org_id, email) is not None:
        raise error
    user = User(org_id=org_id, email=email, role=role, name=name, password_hash=password_hash)
    with unique_as_already_exists(error):
        session.add(user)
        session.flush()
    return user


def get_user(session: Session, org_id: int, email: str) -> User | None:
    query = select(User).where(User.org_id == org_id, User.email == email)
    return session.scalars(query).one_or_none()


def get_user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def live_owners(session: Session, org_id: int) -> Sequence[User]:
    """The org's owners not removed, their rows locked (PostgreSQL) until the transaction
    ends: two owners demoting each other at once cannot both pass a last-owner check."""
    query = select(User).where(
        User.org_id == org_id, User.role == "owner", User.removed_at.is_(None)
    )
    return session.scalars(query.order_by(User.id).with_for_update()).all()


def list_users(session: Session, org_id: int) -> Sequence[User]:
    """The org's people, removed ones included, by email."""
    return session.scalars(select(User).where(User.org_id == org_id).order_by(User.email)).all()
