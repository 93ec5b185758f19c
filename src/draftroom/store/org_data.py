"""All of one org's rows at once: read out for ``org export``, deleted for ``org delete``,
and every row of a kind across orgs for the start-up upgrade (``domain.orgs.prepare``).

The export never reads out a secret column (key and token hashes, password hashes,
credential ciphertexts and usernames); idempotency answers (encrypted) are never exported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, or_, select
from sqlalchemy.orm import Session

from draftroom.store.audit_chain import AuditChainHead
from draftroom.store.audit_sink import AuditSinkCursor
from draftroom.store.models import (
    ApiKey,
    AuditEvent,
    Base,
    IdempotencyKey,
    MergeRequest,
    Org,
    RepositoryRecord,
    ReuseToken,
    Sandbox,
    TokenCheckCounter,
    User,
)
from draftroom.store.oauth import OAuthClient, OAuthConsent, OAuthToken
from draftroom.store.outbox import OutboxEntry
from draftroom.store.plugins import PluginSetting
from draftroom.store.upstream import Upstream, UpstreamCredential
from draftroom.store.webhooks import WebhookDelivery

SECRET_COLUMNS = frozenset(
    {
        "secret_hash",
        "password_hash",
        "secret",
        "username",
        "access_hash",
        "refresh_hash",
        "webhook_secret",
    }
)
"""Columns ``org_rows`` leaves out: hashes, ciphertexts, and a credential's username."""


def org_rows(session: Session, org_id: int) -> dict[str, list[dict[str, Any]]]:
    """Org ``org_id``'s rows by table, oldest first, without ``SECRET_COLUMNS``."""
    repositories = select(RepositoryRecord.id).where(RepositoryRecord.org_id == org_id)
    sandboxes = select(Sandbox.id).where(Sandbox.repository_id.in_(repositories))
    keys = select(ApiKey.id).where(ApiKey.org_id == org_id)
    people = select(User.id).where(User.org_id == org_id)
    queries: dict[str, Select[Any]] = {
        "org": select(Org).where(Org.id == org_id),
        "people": select(User).where(User.org_id == org_id).order_by(User.id),
        "api_keys": select(ApiKey).where(ApiKey.org_id == org_id).order_by(ApiKey.created_at),
        "repositories": select(RepositoryRecord)
        .where(RepositoryRecord.org_id == org_id)
        .order_by(RepositoryRecord.id),
        "sandboxes": select(Sandbox).where(Sandbox.id.in_(sandboxes)).order_by(Sandbox.id),
        "reuse_tokens": select(ReuseToken)
        .where(ReuseToken.sandbox_id.in_(sandboxes))
        .order_by(ReuseToken.created_at),
        "merge_requests": select(MergeRequest)
        .where(MergeRequest.repository_id.in_(repositories))
        .order_by(MergeRequest.id),
        "upstreams": select(Upstream)
        .where(Upstream.repository_id.in_(repositories))
        .order_by(Upstream.repository_id),
        "credentials": select(UpstreamCredential)
        .where(UpstreamCredential.org_id == org_id)
        .order_by(UpstreamCredential.name),
        "audit_events": select(AuditEvent).where(_audit_of(org_id, keys)).order_by(AuditEvent.id),
        "oauth_clients": select(OAuthClient)
        .where(OAuthClient.org_id == org_id)
        .order_by(OAuthClient.created_at),
        "oauth_consents": select(OAuthConsent).where(OAuthConsent.user_id.in_(people)),
        "oauth_tokens": select(OAuthToken)
        .where(OAuthToken.user_id.in_(people))
        .order_by(OAuthToken.created_at),
        "audit_chain_heads": select(AuditChainHead).where(AuditChainHead.org_key == org_id),
        "webhook_deliveries": select(WebhookDelivery)
        .where(WebhookDelivery.repository_id.in_(repositories))
        .order_by(WebhookDelivery.id),
    }
    return {table: [_row(found) for found in session.scalars(q)] for table, q in queries.items()}


def _row(record: Base) -> dict[str, Any]:
    columns = record.__table__.columns.keys()
    return {name: getattr(record, name) for name in columns if name not in SECRET_COLUMNS}


def _audit_of(org_id: int, keys: Select[Any] | list[str]) -> ColumnElement[bool]:
    """The org's audit rows: by org, or (rows older than the org column) by its keys."""
    return or_(
        AuditEvent.org_id == org_id,
        AuditEvent.org_id.is_(None) & AuditEvent.api_key_id.in_(keys),
    )


def delete_org_rows(session: Session, org_id: int) -> None:
    """Delete org ``org_id`` and every row of it, children first (cascades need no help,
    and the tables without foreign keys, audit and idempotency rows, go too)."""
    repositories = list(
        session.scalars(select(RepositoryRecord.id).where(RepositoryRecord.org_id == org_id))
    )
    sandboxes = list(
        session.scalars(select(Sandbox.id).where(Sandbox.repository_id.in_(repositories)))
    )
    keys = list(session.scalars(select(ApiKey.id).where(ApiKey.org_id == org_id)))
    tokens = list(
        session.scalars(select(ReuseToken.id).where(ReuseToken.sandbox_id.in_(sandboxes)))
    )
    subjects = [f"key:{key}" for key in keys] + [f"token:{token}" for token in tokens]
    for statement in (
        delete(AuditEvent).where(_audit_of(org_id, keys)),
        # Its chain and sink positions go with its rows: an org made later starts afresh.
        delete(AuditChainHead).where(AuditChainHead.org_key == org_id),
        delete(AuditSinkCursor).where(AuditSinkCursor.org_key == org_id),
        delete(PluginSetting).where(PluginSetting.org_key == org_id),
        delete(IdempotencyKey).where(IdempotencyKey.api_key_id.in_(keys)),
        delete(TokenCheckCounter).where(TokenCheckCounter.subject.in_(subjects)),
        delete(ReuseToken).where(ReuseToken.sandbox_id.in_(sandboxes)),
        delete(MergeRequest).where(MergeRequest.repository_id.in_(repositories)),
        delete(OutboxEntry).where(OutboxEntry.repository_id.in_(repositories)),
        delete(WebhookDelivery).where(WebhookDelivery.repository_id.in_(repositories)),
        delete(Upstream).where(Upstream.repository_id.in_(repositories)),
        delete(Sandbox).where(Sandbox.id.in_(sandboxes)),
        delete(RepositoryRecord).where(RepositoryRecord.org_id == org_id),
        delete(ApiKey).where(ApiKey.org_id == org_id),
        delete(User).where(User.org_id == org_id),
        delete(UpstreamCredential).where(UpstreamCredential.org_id == org_id),
        delete(Org).where(Org.id == org_id),
    ):
        session.execute(statement.execution_options(synchronize_session=False))
    session.expire_all()


def all_repositories(session: Session) -> Sequence[RepositoryRecord]:
    """Every org's repositories (the start-up layout upgrade looks at each)."""
    return session.scalars(select(RepositoryRecord).order_by(RepositoryRecord.id)).all()


def all_upstream_credentials(session: Session) -> Sequence[UpstreamCredential]:
    """Every org's credentials (the start-up re-encryption looks at each)."""
    return session.scalars(select(UpstreamCredential).order_by(UpstreamCredential.id)).all()
