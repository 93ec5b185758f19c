"""API key and reuse token records. Only hashes live here; issuing and checking secrets is
``draftroom.domain.access.tokens``' job, and nothing in this module ever sees a plaintext secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from draftroom.store.models import ApiKey, RepositoryRecord, ReuseToken, Role, Sandbox
from draftroom.store.upstream import Upstream


def add_api_key(
    session: Session,
    *,
    id: str,
    org_id: int,
    role: Role,
    secret_hash: str,
    label: str | None = None,
    user_id: int | None = None,
) -> ApiKey:
    key = ApiKey(
        id=id, org_id=org_id, role=role, secret_hash=secret_hash, label=label, user_id=user_id
    )
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
    session: Session,
    *,
    id: str,
    sandbox_id: int,
    secret_hash: str,
    expires_at: datetime,
    created_by_key_id: str | None = None,
) -> ReuseToken:
    token = ReuseToken(
        id=id,
        sandbox_id=sandbox_id,
        secret_hash=secret_hash,
        expires_at=expires_at,
        created_by_key_id=created_by_key_id,
    )
    session.add(token)
    session.flush()
    return token


def get_reuse_token(session: Session, id: str) -> ReuseToken | None:
    return session.get(ReuseToken, id)


@dataclass(frozen=True)
class TokenScope:
    """A reuse token with what it opens; ``sandbox`` and ``repository`` are None once gone."""

    token: ReuseToken
    sandbox: Sandbox | None
    repository: RepositoryRecord | None
    has_upstream: bool


def get_token_scope(session: Session, id: str) -> TokenScope | None:
    """The token ``id`` with its sandbox, repository and whether that mirrors an upstream.

    One joined query: every sandbox call starts here, and it used to take four.
    """
    query = (
        select(ReuseToken, Sandbox, RepositoryRecord, Upstream.repository_id)
        .outerjoin(Sandbox, Sandbox.id == ReuseToken.sandbox_id)
        .outerjoin(RepositoryRecord, RepositoryRecord.id == Sandbox.repository_id)
        .outerjoin(Upstream, Upstream.repository_id == RepositoryRecord.id)
        .where(ReuseToken.id == id)
    )
    row = session.execute(query).one_or_none()
    if row is None:
        return None
    token, sandbox, repository, upstream_id = row
    return TokenScope(token, sandbox, repository, upstream_id is not None)


def list_reuse_tokens(session: Session, sandbox_id: int) -> Sequence[ReuseToken]:
    """The sandbox's tokens, revoked and expired ones included, oldest first."""
    query = (
        select(ReuseToken)
        .where(ReuseToken.sandbox_id == sandbox_id)
        .order_by(ReuseToken.created_at, ReuseToken.id)
    )
    return session.scalars(query).all()


def live_reuse_tokens(session: Session, sandbox_id: int) -> Sequence[ReuseToken]:
    """A sandbox's tokens not yet revoked (expired ones included)."""
    return session.scalars(
        select(ReuseToken).where(
            ReuseToken.sandbox_id == sandbox_id, ReuseToken.revoked_at.is_(None)
        )
    ).all()
