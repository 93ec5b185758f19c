"""Sign-in records: OAuth clients, authorization codes and sign-in tickets, tokens, consents.

Every secret here (client secrets, codes, tickets, access and refresh tokens) is stored only
as a hash (see ``draftroom.domain.signin``); query functions never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from draftroom.store.models import Base, User
from draftroom.store.timestamps import UTCDateTime, utc_now

GrantKind = Literal["code", "ticket"]


class OAuthClient(Base):
    """An app people sign in to; ``secret_hash`` None: a public client (PKCE alone)."""

    __tablename__ = "oauth_clients"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    redirect_uris: Mapped[list[str]] = mapped_column(JSON)
    secret_hash: Mapped[str | None] = mapped_column(String(128))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    """Only people of this org may sign in to it; None: people of any org."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OAuthGrant(Base):
    """A one-use secret of a sign-in: a ``ticket`` (password checked, consent pending) or an
    authorization ``code`` (consent given); ``id`` is the secret's hash."""

    __tablename__ = "oauth_grants"
    __table_args__ = (CheckConstraint("kind IN ('code', 'ticket')", name="kind"),)

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[GrantKind] = mapped_column(String(16))
    client_id: Mapped[str] = mapped_column(
        ForeignKey("oauth_clients.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    scope: Mapped[str] = mapped_column(String(200))
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(16))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """A code once exchanged: kept until it expires, so a second use is recognised."""
    family_id: Mapped[str | None] = mapped_column(String(32))
    """The sign-in (token family) a used code issued: revoked if the code comes back."""

    user: Mapped[User] = relationship()


class OAuthToken(Base):
    """One issuance of an access token (``dra_<id>_…``) and its refresh token (``drr_<id>_…``).

    Refreshing rotates: the row gets ``rotated_at`` and a new row of the same ``family_id``
    is issued; presenting a rotated refresh token revokes the whole family.
    """

    __tablename__ = "oauth_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    client_id: Mapped[str] = mapped_column(
        ForeignKey("oauth_clients.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(200))
    access_hash: Mapped[str] = mapped_column(String(128))
    refresh_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    refresh_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    client: Mapped[OAuthClient] = relationship()


class OAuthConsent(Base):
    """A person allowed a client once: later sign-ins to it skip the consent form."""

    __tablename__ = "oauth_consents"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    client_id: Mapped[str] = mapped_column(
        ForeignKey("oauth_clients.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


def add_oauth_client(
    session: Session,
    client_id: str,
    name: str,
    redirect_uris: list[str],
    secret_hash: str | None,
    org_id: int | None,
) -> OAuthClient:
    client = OAuthClient(
        id=client_id, name=name, redirect_uris=redirect_uris, secret_hash=secret_hash, org_id=org_id
    )
    session.add(client)
    session.flush()
    return client


def get_oauth_client(session: Session, client_id: str) -> OAuthClient | None:
    return session.get(OAuthClient, client_id)


def add_oauth_grant(session: Session, **fields: object) -> OAuthGrant:
    grant = OAuthGrant(**fields)
    session.add(grant)
    session.flush()
    return grant


def get_oauth_grant(session: Session, secret_hash: str, kind: GrantKind) -> OAuthGrant | None:
    grant = session.get(OAuthGrant, secret_hash)
    return grant if grant is not None and grant.kind == kind else None


def delete_oauth_grant(session: Session, grant: OAuthGrant) -> None:
    session.delete(grant)
    session.flush()


def add_oauth_token(session: Session, **fields: object) -> OAuthToken:
    token = OAuthToken(**fields)
    session.add(token)
    session.flush()
    return token


def get_oauth_token(session: Session, token_id: str) -> OAuthToken | None:
    return session.get(OAuthToken, token_id)


def claim_oauth_rotation(session: Session, token: OAuthToken) -> bool:
    """Mark ``token`` rotated unless another request already did: one atomic UPDATE, so of
    two refreshes with the same refresh token at once exactly one wins (PostgreSQL makes
    the second wait on the row, then re-checks; SQLite runs one writer at a time)."""
    result = session.execute(
        update(OAuthToken)
        .where(OAuthToken.id == token.id, OAuthToken.rotated_at.is_(None))
        .values(rotated_at=utc_now())
        .execution_options(synchronize_session=False)
    )
    session.refresh(token)
    return int(getattr(result, "rowcount", 0) or 0) == 1


def revoke_oauth_tokens(
    session: Session,
    *,
    family_id: str | None = None,
    user_id: int | None = None,
    client_id: str | None = None,
) -> int:
    """Revoke the live tokens of a family, a person or a client; how many were live."""
    query = update(OAuthToken).where(OAuthToken.revoked_at.is_(None))
    if family_id is not None:
        query = query.where(OAuthToken.family_id == family_id)
    if user_id is not None:
        query = query.where(OAuthToken.user_id == user_id)
    if client_id is not None:
        query = query.where(OAuthToken.client_id == client_id)
    result = session.execute(query.values(revoked_at=utc_now()))
    session.expire_all()
    return int(getattr(result, "rowcount", 0) or 0)


def has_oauth_consent(session: Session, user_id: int, client_id: str) -> bool:
    return session.get(OAuthConsent, (user_id, client_id)) is not None


def add_oauth_consent(session: Session, user_id: int, client_id: str) -> None:
    if not has_oauth_consent(session, user_id, client_id):
        session.add(OAuthConsent(user_id=user_id, client_id=client_id))
        session.flush()


def users_by_email(session: Session, email: str, org_id: int | None = None) -> Sequence[User]:
    """Live people with ``email`` (any case), in ``org_id`` only when given."""
    query = select(User).where(func.lower(User.email) == email.lower(), User.removed_at.is_(None))
    if org_id is not None:
        query = query.where(User.org_id == org_id)
    return session.scalars(query.order_by(User.id)).all()
