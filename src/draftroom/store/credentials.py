"""API key and reuse token records. Only hashes live here; issuing and checking secrets is
``draftroom.domain.tokens``' job, and nothing in this module ever sees a plaintext secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from draftroom.store.models import ApiKey, ReuseToken, Role


def add_api_key(
    session: Session,
    *,
    id: str,
    org_id: int,
    role: Role,
    secret_hash: str,
    label: str | None = None,
) -> ApiKey:
    key = ApiKey(id=id, org_id=org_id, role=role, secret_hash=secret_hash, label=label)
    session.add(key)
    session.flush()
    return key


def get_api_key(session: Session, id: str) -> ApiKey | None:
    return session.get(ApiKey, id)


def list_api_keys(session: Session, org_id: int) -> Sequence[ApiKey]:
    """The org's keys, revoked ones included, oldest first."""
    query = select(ApiKey).where(ApiKey.org_id == org_id).order_by(ApiKey.created_at, ApiKey.id)
    return session.scalars(query).all()


def add_reuse_token(
    session: Session, *, id: str, sandbox_id: int, secret_hash: str, expires_at: datetime
) -> ReuseToken:
    token = ReuseToken(id=id, sandbox_id=sandbox_id, secret_hash=secret_hash, expires_at=expires_at)
    session.add(token)
    session.flush()
    return token


def get_reuse_token(session: Session, id: str) -> ReuseToken | None:
    return session.get(ReuseToken, id)


def list_reuse_tokens(session: Session, sandbox_id: int) -> Sequence[ReuseToken]:
    """The sandbox's tokens, revoked and expired ones included, oldest first."""
    query = (
        select(ReuseToken)
        .where(ReuseToken.sandbox_id == sandbox_id)
        .order_by(ReuseToken.created_at, ReuseToken.id)
    )
    return session.scalars(query).all()
