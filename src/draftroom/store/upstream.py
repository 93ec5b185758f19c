"""Upstream records: where a repository mirrors to, the secrets it pushes with, and the outbox.

The outbox holds one row per (repository, branch) still owed to the upstream: which head to
push, how often it failed and when to try again. Pushing a branch head pushes every commit
under it in order, so one row per branch is enough and per-branch order comes for free.
Rows are claimed with a lease (a conditional ``UPDATE``), so several server processes can
drain one outbox without pushing the same branch at once. ``secret`` columns hold ciphertext
only (see ``draftroom.domain.upstream.credentials``): never a plaintext token or key.
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
    case,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from draftroom.errors import AlreadyExists
from draftroom.store.conflicts import is_unique_violation, unique_as_already_exists
from draftroom.store.models import Base, RepositoryRecord
from draftroom.store.timestamps import UTCDateTime, utc_now

CredentialKind = Literal["token", "github_app"]
PublishMode = Literal["push", "pull_request"]
OutboxState = Literal["pending", "synced", "failed", "diverged"]
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

    repository: Mapped[RepositoryRecord] = relationship()
    credential: Mapped[UpstreamCredential | None] = relationship()


class OutboxEntry(Base):
    """A branch whose local head the upstream may not have yet.

    ``generation`` grows with every enqueue, so a push that finishes cannot mark the branch
    clean when a commit arrived while it ran.
    """

    __tablename__ = "upstream_outbox"
    __table_args__ = (
        UniqueConstraint("repository_id", "branch"),
        CheckConstraint("state IN ('pending', 'synced', 'failed', 'diverged')", name="state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    repository_id: Mapped[int] = mapped_column(ForeignKey("repositories.id", ondelete="CASCADE"))
    branch: Mapped[str] = mapped_column(String(255))
    target_sha: Mapped[str | None] = mapped_column(String(64))
    pushed_sha: Mapped[str | None] = mapped_column(String(64))
    generation: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[OutboxState] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pull_request_url: Mapped[str | None] = mapped_column(String(400))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


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


def get_outbox_entry(session: Session, repository_id: int, branch: str) -> OutboxEntry | None:
    query = select(OutboxEntry).where(
        OutboxEntry.repository_id == repository_id, OutboxEntry.branch == branch
    )
    return session.scalars(query).one_or_none()


def list_outbox(session: Session, repository_id: int) -> Sequence[OutboxEntry]:
    query = (
        select(OutboxEntry)
        .where(OutboxEntry.repository_id == repository_id)
        .order_by(OutboxEntry.branch)
    )
    return session.scalars(query).all()


def due_outbox(session: Session, now: datetime, limit: int = 20) -> Sequence[OutboxEntry]:
    """Rows whose push is due and not leased to a live worker, oldest due first."""
    query = (
        select(OutboxEntry)
        .where(
            OutboxEntry.next_attempt_at.is_not(None),
            OutboxEntry.next_attempt_at <= now,
            OutboxEntry.state != "diverged",
            or_(OutboxEntry.lease_until.is_(None), OutboxEntry.lease_until < now),
        )
        .order_by(OutboxEntry.next_attempt_at, OutboxEntry.id)
        .limit(limit)
    )
    return session.scalars(query).all()


def lease_outbox_entry(
    session: Session, entry_id: int, owner: str, now: datetime, until: datetime
) -> bool:
    """Lease one row to ``owner``; False when another worker holds a live lease on it."""
    result = session.execute(
        update(OutboxEntry)
        .where(
            OutboxEntry.id == entry_id,
            or_(OutboxEntry.lease_until.is_(None), OutboxEntry.lease_until < now),
        )
        .values(lease_owner=owner, lease_until=until)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


def enqueue_outbox(session: Session, repository_id: int, branch: str, sha: str) -> None:
    """Note that ``branch`` now has head ``sha`` to push; due now unless it is backing off.

    One statement, so it composes with a concurrent push finishing on another process.
    A diverged branch keeps its state: it waits for an admin, not for the next commit.
    """
    now = utc_now()
    values = {
        "target_sha": sha,
        "generation": OutboxEntry.generation + 1,
        "updated_at": now,
        "state": case((OutboxEntry.state == "synced", "pending"), else_=OutboxEntry.state),
        "next_attempt_at": case(
            (OutboxEntry.state == "diverged", OutboxEntry.next_attempt_at),
            (
                or_(OutboxEntry.attempts == 0, OutboxEntry.next_attempt_at.is_(None)),
                now,
            ),
            else_=OutboxEntry.next_attempt_at,
        ),
    }
    where = (OutboxEntry.repository_id == repository_id, OutboxEntry.branch == branch)
    statement = update(OutboxEntry).where(*where).values(values)
    if _rowcount(session.execute(statement.execution_options(synchronize_session=False))):
        return
    try:
        with session.begin_nested():
            session.add(
                OutboxEntry(
                    repository_id=repository_id,
                    branch=branch,
                    target_sha=sha,
                    generation=1,
                    next_attempt_at=now,
                    updated_at=now,
                )
            )
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        session.execute(statement.execution_options(synchronize_session=False))


def finish_push(
    session: Session, entry_id: int, owner: str, *, pushed_sha: str | None, generation: int
) -> None:
    """Record a push of ``pushed_sha``; the row stays due if a commit arrived meanwhile."""
    now = utc_now()
    unchanged = OutboxEntry.generation == generation
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.id == entry_id, OutboxEntry.lease_owner == owner)
        .values(
            pushed_sha=pushed_sha,
            attempts=0,
            last_error=None,
            lease_owner=None,
            lease_until=None,
            updated_at=now,
            state=case((unchanged, "synced"), else_="pending"),
            next_attempt_at=case((unchanged, None), else_=now),
        )
        .execution_options(synchronize_session=False)
    )


def fail_push(
    session: Session, entry_id: int, owner: str, *, error: str, retry_at: datetime
) -> None:
    """Record a failed attempt; the commit stays local and the push is retried at ``retry_at``."""
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.id == entry_id, OutboxEntry.lease_owner == owner)
        .values(
            attempts=OutboxEntry.attempts + 1,
            last_error=error,
            state="failed",
            next_attempt_at=retry_at,
            lease_owner=None,
            lease_until=None,
            updated_at=utc_now(),
        )
        .execution_options(synchronize_session=False)
    )


def mark_diverged(session: Session, entry_id: int, owner: str | None, *, error: str) -> None:
    """Stop pushing a branch the upstream moved on its own; only an admin resolves it."""
    where = [OutboxEntry.id == entry_id]
    if owner is not None:
        where.append(OutboxEntry.lease_owner == owner)
    session.execute(
        update(OutboxEntry)
        .where(*where)
        .values(
            state="diverged",
            last_error=error,
            next_attempt_at=None,
            lease_owner=None,
            lease_until=None,
            updated_at=utc_now(),
        )
        .execution_options(synchronize_session=False)
    )


def mark_resolved(session: Session, entry_id: int, *, pushed_sha: str) -> None:
    """After an admin's resolution the upstream holds ``pushed_sha``; pushing resumes."""
    now = utc_now()
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.id == entry_id)
        .values(
            state="pending",
            pushed_sha=pushed_sha,
            attempts=0,
            last_error=None,
            next_attempt_at=now,
            lease_owner=None,
            lease_until=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0))
