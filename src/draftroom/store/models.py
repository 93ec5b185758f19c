"""The tables draftroom keeps: orgs, people, repositories, API keys, sandboxes, reuse tokens, audit,
idempotency keys, merge requests.

Secrets are stored only as hashes (see ``draftroom.domain.access.tokens``); the audit table holds
ids, names and outcomes, never a token or file content. Schema changes go through a new
migration in ``store/migrations/versions`` as well as here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from draftroom.store.timestamps import UTCDateTime, utc_now

WRITTEN = "outcome = 'ok' AND bytes_written > 0"
"""The audit rows the daily byte quotas sum (``ix_audit_events_repo_written``)."""

Role = Literal["admin", "agent", "person"]
"""A key's role: ``admin`` and ``agent`` service keys, or ``person``: all its person may do."""
PersonRole = Literal["owner", "reviewer", "member"]
SandboxStatus = Literal["active", "archived", "merged"]
Outcome = Literal["ok", "error"]
IdempotencyState = Literal["running", "done"]
MergeRequestStatus = Literal["pending", "merged", "rejected", "superseded"]

# Named constraints keep migrations reproducible across SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Org(Base):
    """A tenant: repositories, people and API keys belong to exactly one org.

    ``name`` is its slug (``acme-ml``), used in ``SLUG/NAME`` and on disk.
    """

    __tablename__ = "orgs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    display_name: Mapped[str | None] = mapped_column(String(200))


class User(Base):
    """A person of one org; ``removed_at`` set: their keys and sandboxes no longer open."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("org_id", "email"),
        CheckConstraint("role IN ('owner', 'reviewer', 'member')", name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[PersonRole] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RepositoryRecord(Base):
    """A git repository on disk that an org has registered (``path`` is its git dir)."""

    __tablename__ = "repositories"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(4096))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    require_other_reviewer: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    """Refuse an approval by the person (or key) who asked for the merge."""

    org: Mapped[Org] = relationship()


class ApiKey(Base):
    """An org credential; ``id`` is the public half of ``drk_<id>_<secret>``.

    With ``user_id`` it acts for that person, never beyond their role; ``role`` ``agent``
    limits it further to sandbox tools.
    """

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint("role IN ('admin', 'agent', 'person')", name="role"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(128))
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )

    org: Mapped[Org] = relationship()
    user: Mapped[User | None] = relationship()


class Sandbox(Base):
    """An assistant's private branch in one repository."""

    __tablename__ = "sandboxes"
    __table_args__ = (
        UniqueConstraint("repository_id", "branch"),
        CheckConstraint("status IN ('active', 'archived', 'merged')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    repository_id: Mapped[int] = mapped_column(ForeignKey("repositories.id", ondelete="CASCADE"))
    branch: Mapped[str] = mapped_column(String(255))
    status: Mapped[SandboxStatus] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    created_by_key_id: Mapped[str | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"), index=True
    )
    project_name: Mapped[str | None] = mapped_column(String(200))
    created_for_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    """The person the sandbox was started for (no foreign key: it outlives them)."""
    last_active_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    """When a call last opened it (to the minute): what the console's idle filter reads."""

    repository: Mapped[RepositoryRecord] = relationship()


class ReuseToken(Base):
    """Lets an assistant come back to its sandbox; ``id`` is the public half of ``drt_...``."""

    __tablename__ = "reuse_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sandbox_id: Mapped[int] = mapped_column(
        ForeignKey("sandboxes.id", ondelete="CASCADE"), index=True
    )
    secret_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_key_id: Mapped[str | None] = mapped_column(String(32))
    """The API key the token works with; None (tokens older than the binding): any key of
    the org. No foreign key: keys are revoked, never deleted, and a token must never fall
    back to "any key" because its key row went away."""

    sandbox: Mapped[Sandbox] = relationship()


class TokenCheckCounter(Base):
    """Reuse-token checks counted against one attacked subject (``key:<id>``, ``token:<id>``)
    in its current lockout window; right ones are not counted."""

    __tablename__ = "token_check_counters"

    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(Integer)


class AuditEvent(Base):
    """One tool call. Ids and names only: never a token, a secret or file content.

    No foreign keys on purpose: the log outlives the keys, tokens and repositories it names.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_repo_branch_at", "repo", "branch", "at"),
        Index("ix_audit_events_org_id_at", "org_id", "at"),
        Index("ix_audit_events_org_id_id", "org_id", "id"),
        Index("ix_audit_events_request_id", "request_id"),
        Index(  # the daily byte quotas' sums read only today's writes of one repository
            "ix_audit_events_repo_written",
            "org_id",
            "repo",
            "at",
            "branch",
            "bytes_written",
            sqlite_where=text(WRITTEN),
            postgresql_where=text(WRITTEN),
        ),
        CheckConstraint("outcome IN ('ok', 'error')", name="outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    request_id: Mapped[str] = mapped_column(String(64))
    api_key_id: Mapped[str | None] = mapped_column(String(32))
    token_id: Mapped[str | None] = mapped_column(String(32))
    repo: Mapped[str | None] = mapped_column(String(200))
    branch: Mapped[str | None] = mapped_column(String(255))
    tool: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[Outcome] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(64))
    commit_sha: Mapped[str | None] = mapped_column(String(64), index=True)
    duration_ms: Mapped[float] = mapped_column(Float)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    bytes_written: Mapped[int | None] = mapped_column(BigInteger)
    """File content the call's commit added (the daily write quotas sum it)."""
    org_id: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(Integer)
    """The person the call acted for, if its key acts for one."""
    personal_digest: Mapped[str | None] = mapped_column(String(64))
    """A keyed digest of the personal fields (person, key, client address): what the chain
    covers of them, so erasing them (a privacy request) leaves the chain whole."""
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    """SHA-256 of the row's canonical encoding and ``prev_hash`` (``domain.audit.chain``)."""
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the personal fields were erased (a privacy request): the digest stands for them."""


class IdempotencyKey(Base):
    """The first answer to a writing call sent with an ``Idempotency-Key``, for its retries.

    ``key_hash`` hashes the caller's key and ``response`` is encrypted with a key derived
    from it (an answer may hold a reuse token): a copy of this table alone opens neither.
    ``response`` is None while the first call runs.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("api_key_id", "tool", "key_hash"),
        CheckConstraint("state IN ('running', 'done')", name="state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    api_key_id: Mapped[str] = mapped_column(String(32))
    tool: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[IdempotencyState] = mapped_column(String(16), default="running")
    response: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)


class MergeRequest(Base):
    """A sandbox's request to merge into ``main``; only a human (admin key, CLI) decides it.

    ``source_sha`` is the branch head when the request was opened: approval merges exactly
    what the preview showed, never whatever the branch holds later. ``decided_by_key_id``
    has no foreign key, like the audit log: the record outlives the key ("cli" for the CLI).
    """

    __tablename__ = "merge_requests"
    __table_args__ = (
        Index("ix_merge_requests_repository_id_status", "repository_id", "status"),
        CheckConstraint("status IN ('pending', 'merged', 'rejected', 'superseded')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    repository_id: Mapped[int] = mapped_column(ForeignKey("repositories.id", ondelete="CASCADE"))
    sandbox_id: Mapped[int] = mapped_column(
        ForeignKey("sandboxes.id", ondelete="CASCADE"), index=True
    )
    branch: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[MergeRequestStatus] = mapped_column(String(16), default="pending")
    source_sha: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    requested_by_key_id: Mapped[str | None] = mapped_column(String(32))
    requested_by_user_id: Mapped[int | None] = mapped_column(Integer)
    decided_by_user_id: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_key_id: Mapped[str | None] = mapped_column(String(32))
    decision_note: Mapped[str | None] = mapped_column(Text)
    merge_sha: Mapped[str | None] = mapped_column(String(64))
    preview: Mapped[dict[str, Any]] = mapped_column(JSON)

    repository: Mapped[RepositoryRecord] = relationship()
    sandbox: Mapped[Sandbox] = relationship()
    # Read-only, no foreign key: like the key ids, the record outlives the person's row.
    requested_by_user: Mapped[User | None] = relationship(
        primaryjoin="foreign(MergeRequest.requested_by_user_id) == User.id", viewonly=True
    )
    decided_by_user: Mapped[User | None] = relationship(
        primaryjoin="foreign(MergeRequest.decided_by_user_id) == User.id", viewonly=True
    )
