"""Audit event rows: made here, chained and written by ``draftroom.domain.audit`` (its
``record_event``), read by dashboards.

Rows name keys, tokens, repositories and commits by id; they never hold a secret or file
content.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, case, cast, exists, func, literal, select
from sqlalchemy.orm import Session, aliased

from draftroom.store.models import ApiKey, AuditEvent, Outcome


def insert_audit_event(session: Session, event: AuditEvent) -> AuditEvent:
    """Write a row ``domain.audit`` made and chained (its id is read back)."""
    session.add(event)
    session.flush()
    return event


AMENDS = "amend:"
"""The ``request_id`` prefix of a row correcting an earlier one (rows are never edited)."""


def list_audit_events(
    session: Session,
    repo: str | None = None,
    branch: str | None = None,
    outcome: Outcome | None = None,
    commit_sha: str | None = None,
    limit: int = 100,
) -> Sequence[AuditEvent]:
    """Matching events, newest first (insertion order breaks ties between equal times)."""
    query = select(AuditEvent)
    if repo is not None:
        query = query.where(AuditEvent.repo == repo)
    if branch is not None:
        query = query.where(AuditEvent.branch == branch)
    if outcome is not None:
        query = query.where(AuditEvent.outcome == outcome)
    if commit_sha is not None:
        query = query.where(AuditEvent.commit_sha == commit_sha)
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    return session.scalars(query).all()


def failed_token_checks_since(
    session: Session, since: datetime, error_code: str
) -> Sequence[tuple[datetime, str | None, dict[str, Any] | None]]:
    """(at, api_key_id, detail) of failed reuse-token checks after ``since``, oldest first.

    Those rows carry no repository (the token never opened one), which the
    (repo, branch, at) index finds by range.
    """
    rows = session.execute(
        select(AuditEvent.at, AuditEvent.api_key_id, AuditEvent.detail)
        .where(
            AuditEvent.repo.is_(None),
            AuditEvent.branch.is_(None),
            AuditEvent.at > since,
            AuditEvent.error_code == error_code,
        )
        .order_by(AuditEvent.at)
    ).all()
    return [(at, key, detail) for at, key, detail in rows]


def _commits_since(
    repo: str, branch: str, token_id: str | None, since: datetime
) -> tuple[Any, ...]:
    # (repo, branch, at) is indexed; one token opens one branch.
    return (
        AuditEvent.repo == repo,
        AuditEvent.branch == branch,
        AuditEvent.at > since,
        AuditEvent.token_id == token_id,
        AuditEvent.outcome == "ok",
        AuditEvent.commit_sha.is_not(None),
    )


def count_commits_since(
    session: Session, *, repo: str, branch: str, token_id: str | None, since: datetime
) -> int:
    """How many commits one reuse token made on its branch after ``since`` (one indexed COUNT)."""
    where = _commits_since(repo, branch, token_id, since)
    return session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0


def commit_times_since(
    session: Session, *, repo: str, branch: str, token_id: str | None, since: datetime
) -> Sequence[datetime]:
    """The times of those commits, oldest first (read only to tell a caller when to retry)."""
    where = _commits_since(repo, branch, token_id, since)
    return session.scalars(select(AuditEvent.at).where(*where).order_by(AuditEvent.at)).all()


def bytes_written_since(
    session: Session, *, org_id: int, repo: str, branch: str, since: datetime
) -> tuple[int, int]:
    """File bytes the calls that succeeded after ``since`` wrote on ``branch`` of ``org_id``'s
    ``repo``, and on all of that repository (a name is unique only within its org): one
    statement for both daily quotas."""
    on_branch = case((AuditEvent.branch == branch, AuditEvent.bytes_written), else_=0)
    query = select(
        func.coalesce(func.sum(on_branch), 0), func.coalesce(func.sum(AuditEvent.bytes_written), 0)
    ).where(  # the terms of ix_audit_events_repo_written: reads and failures are not scanned
        AuditEvent.org_id == org_id,
        AuditEvent.repo == repo,
        AuditEvent.at > since,
        AuditEvent.outcome == "ok",
        AuditEvent.bytes_written > 0,
    )
    branch_bytes, repo_bytes = session.execute(query).one()
    return int(branch_bytes or 0), int(repo_bytes or 0)


def recent_failures(session: Session, org_id: int, limit: int) -> Sequence[AuditEvent]:
    """The org's newest failed calls (every worker's), newest first."""
    keys = select(ApiKey.id).where(ApiKey.org_id == org_id)
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.outcome == "error", AuditEvent.api_key_id.in_(keys))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()


def tool_counts(session: Session, repo: str, branch: str) -> dict[tuple[str, str], int]:
    """(tool, outcome) -> number of calls on one sandbox (the (repo, branch, at) index)."""
    rows = session.execute(
        select(AuditEvent.tool, AuditEvent.outcome, func.count())
        .where(AuditEvent.repo == repo, AuditEvent.branch == branch)
        .group_by(AuditEvent.tool, AuditEvent.outcome)
    )
    return {(tool, outcome): count for tool, outcome, count in rows}


def audited_shas(session: Session, shas: Sequence[str], chunk: int = 500) -> set[str]:
    """The shas among ``shas`` some audit row names (the ``commit_sha`` index, in chunks)."""
    found: set[str] = set()
    for start in range(0, len(shas), chunk):
        part = list(shas[start : start + chunk])
        found.update(
            sha
            for sha in session.scalars(
                select(AuditEvent.commit_sha).where(AuditEvent.commit_sha.in_(part))
            )
            if sha is not None
        )
    return found


def newest_commit_claims(
    session: Session, repo: str, branch: str, limit: int
) -> Sequence[AuditEvent]:
    """The newest successful rows on a sandbox that name a commit, newest first; a row an
    amendment (``AMENDS`` + its id) already corrected is left out."""
    amendment = aliased(AuditEvent)
    amended = exists().where(amendment.request_id == literal(AMENDS) + cast(AuditEvent.id, String))
    return session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.repo == repo,
            AuditEvent.branch == branch,
            AuditEvent.outcome == "ok",
            AuditEvent.commit_sha.is_not(None),
            ~amended,
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()
