"""Upstream records: where a repository mirrors to and the secrets it pushes with.

``secret`` columns hold ciphertext only (see ``draftroom.domain.upstream.credentials``):
never a plaintext token or key. What is still owed to an upstream is in ``outbox``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from draftroom.errors import AlreadyExists
from draftroom.store.conflicts import unique_as_already_exists
from draftroom.store.models import Base, RepositoryRecord
from draftroom.store.timestamps import UTCDateTime, utc_now

CredentialKind = Literal["token", "github_app"]
PublishMode = Literal["push", "pull_request"]
MainState = Literal["synced", "ahead", "diverged"]


class UpstreamCredential(Base):
    """A secret an org pushes and fetches with: a token, or a GitHub App's private key."""

    __tablename__ = "upstream_credentials"
    __table_args__ = (
        UniqueConstraint("org_id", "name"),
        CheckConstraint("kind IN ('token', 'github_app')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CredentialKind] = mapped_column(String(16))
    username: Mapped[str | None] = mapped_column(String(200))
    app_id: Mapped[str | None] = mapped_column(String(32))
    installation_id: Mapped[str | None] = mapped_column(String(32))
    host: Mapped[str | None] = mapped_column(String(255))
    """The only host a token is sent to (set when stored, or by its first repository)."""
    secret: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class Upstream(Base):
    """The remote a repository mirrors: its URL, credential, default branch and publish mode."""

    __tablename__ = "upstreams"
    __table_args__ = (
        CheckConstraint("publish IN ('push', 'pull_request')", name="publish"),
        CheckConstraint("main_state IN ('synced', 'ahead', 'diverged')", name="main_state"),
    )

    repository_id: Mapped[int] = mapped_column(
        ForeignKey("repositories.id", ondelete="CASCADE"), primary_key=True
    )
    url: Mapped[str] = mapped_column(String(4096))
    credential_id: Mapped[int | None] = mapped_column(
        ForeignKey("upstream_credentials.id", ondelete="SET NULL")
    )
    main_branch: Mapped[str] = mapped_column(String(255), default="main")
    publish: Mapped[PublishMode] = mapped_column(String(16), default="push")
    github_api_url: Mapped[str | None] = mapped_column(String(400))
    main_state: Mapped[MainState] = mapped_column(String(16), default="synced")
    next_fetch_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_fetch_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fetch_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    webhook_secret: Mapped[str | None] = mapped_column(Text)
    """Ciphertext of the secret the forge signs webhook deliveries with; None: no webhook."""
    human_seen_sha: Mapped[str | None] = mapped_column(String(64))
    """The ``main`` head whose new commits were last told to the sandboxes as human changes."""

    repository: Mapped[RepositoryRecord] = relationship()
    credential: Mapped[UpstreamCredential | None] = relationship()


def add_upstream_credential(
    session: Session,
    *,
    org_id: int,
    name: str,
    kind: CredentialKind,
    secret: str,
    username: str | None = None,
    app_id: str | None = None,
    installation_id: str | None = None,
    host: str | None = None,
) -> UpstreamCredential:
    """Store a credential (``secret`` already encrypted); ``AlreadyExists`` on a taken name."""
    error = AlreadyExists(
        f"a credential named {name!r} already exists; pick another name", credential=name
    )
    if get_upstream_credential(session, org_id, name) is not None:
        raise error
    record = UpstreamCredential(
        org_id=org_id,
        name=name,
        kind=kind,
        secret=secret,
        username=username,
        app_id=app_id,
        installation_id=installation_id,
        host=host,
    )
    with unique_as_already_exists(error):
        session.add(record)
        session.flush()
    return record


def get_upstream_credential(session: Session, org_id: int, name: str) -> UpstreamCredential | None:
    query = select(UpstreamCredential).where(
        UpstreamCredential.org_id == org_id, UpstreamCredential.name == name
    )
    return session.scalars(query).one_or_none()


def list_upstream_credentials(session: Session, org_id: int) -> Sequence[UpstreamCredential]:
    query = (
        select(UpstreamCredential)
        .where(UpstreamCredential.org_id == org_id)
        .order_by(UpstreamCredential.name)
    )
    return session.scalars(query).all()


def repositories_using_credential(session: Session, credential_id: int) -> list[str]:
    """Names of the repositories whose upstream authenticates with ``credential_id``."""
    query = (
        select(RepositoryRecord.name)
        .join(Upstream, Upstream.repository_id == RepositoryRecord.id)
        .where(Upstream.credential_id == credential_id)
        .order_by(RepositoryRecord.name)
    )
    return list(session.scalars(query).all())


def delete_upstream_credential(session: Session, record: UpstreamCredential) -> None:
    session.delete(record)
    session.flush()


def add_upstream(
    session: Session,
    *,
    repository_id: int,
    url: str,
    credential_id: int | None,
    main_branch: str,
    publish: PublishMode = "push",
    github_api_url: str | None = None,
) -> Upstream:
    record = Upstream(
        repository_id=repository_id,
        url=url,
        credential_id=credential_id,
        main_branch=main_branch,
        publish=publish,
        github_api_url=github_api_url,
        next_fetch_at=utc_now(),
    )
    session.add(record)
    session.flush()
    return record


def get_upstream(session: Session, repository_id: int) -> Upstream | None:
    return session.get(Upstream, repository_id)


def list_upstreams(session: Session) -> Sequence[Upstream]:
    """Every repository with an upstream, all orgs (the background worker serves them all)."""
    return session.scalars(select(Upstream).order_by(Upstream.repository_id)).all()


def claim_fetch(session: Session, upstream: Upstream, now: datetime, next_at: datetime) -> bool:
    """Take the due fetch of ``upstream`` for this process; False if another took it first."""
    result = session.execute(
        update(Upstream)
        .where(
            Upstream.repository_id == upstream.repository_id,
            or_(Upstream.next_fetch_at.is_(None), Upstream.next_fetch_at <= now),
        )
        .values(next_fetch_at=next_at)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0))
