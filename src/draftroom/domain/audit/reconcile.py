"""Bringing the audit trail back in line with git after a crash.

A tool's commit is written to git first and to the audit table second; a process killed in
between leaves an acknowledged-looking commit with no audit row. Every draftroom commit
carries ``Draftroom-Tool``/``-Request-Id``/``-Token-Id`` trailers (newer ones ``-Key``, which
names the person too), so at start-up the missing rows are rebuilt from them (detail
``{"reconciled": true}``), and audit rows naming
a commit git no longer has are marked as such. Audit rows of concurrent calls land in any
order, so an audited commit does not vouch for the ones below it: each sandbox branch is
walked back from its head through every commit less than ``AUDIT_LAG`` older than the head
(any commit a crash left unaudited is that recent), and on past audited ones only until the
first commit the audit knows. Must never move a ref.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.audit.chain import audit_key
from draftroom.domain.audit.events import record_event
from draftroom.domain.calls import Services
from draftroom.domain.commits import KEY_TRAILER, REQUEST_TRAILER, TOKEN_TRAILER, TOOL_TRAILER
from draftroom.errors import DraftroomError, RefNotFound
from draftroom.git import LogEntry, Repository

AMEND_TOOL = "audit.reconcile"
"""The tool name of a row that corrects an earlier one."""
logger = logging.getLogger("draftroom.audit")

MAX_WALK = 1000
"""Commits walked back per branch at most: a bound on start-up time."""
AUDIT_LAG = timedelta(minutes=5)
"""Longer than any call takes between its git write and its audit write."""
CHECKED_CLAIMS = 20
"""Newest audit rows per branch whose commit is checked to exist."""
_CHUNK = 500


@dataclass
class Reconciled:
    """What one reconciliation changed."""

    inserted: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def reconcile(services: Services) -> Reconciled:
    """Repair the audit trail of every active sandbox; safe to run from several processes."""
    result = Reconciled()
    with services.database.session() as session:
        targets = [
            (
                sandbox.repository.org_id,
                sandbox.repository.name,
                sandbox.repository.path,
                sandbox.branch,
            )
            for sandbox in store.list_sandboxes(session, status="active")
        ]
    heads: dict[tuple[int, str, str], tuple[Repository, str]] = {}
    digests = audit_key(services)
    for org_id, repo_name, path, branch in targets:
        try:
            repo = services.git(path)
            heads[(org_id, repo_name, branch)] = (repo, repo.head(branch))
        except DraftroomError:
            continue  # repository or branch gone: nothing to reconcile against
    for (org_id, repo_name, branch), (repo, _) in heads.items():
        with repo.branch_lock(branch), services.database.session() as session:
            result.inserted += _insert_missing(session, digests, repo, repo_name, branch, org_id)
        with services.database.session() as session:
            result.missing += _mark_missing(session, digests, repo, repo_name, branch)
    if result.inserted or result.missing:
        logger.warning(
            '{"event": "audit_reconciled", "inserted": %d, "missing": %d}',
            len(result.inserted),
            len(result.missing),
        )
    return result


def _walk(repo: Repository, branch: str) -> Iterator[LogEntry]:
    cursor: str | None = None
    walked = 0
    while walked < MAX_WALK:
        page = repo.log(branch, cursor=cursor, limit=5 if cursor is None else 50)
        for entry in page.commits:
            walked += 1
            yield entry
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _insert_missing(
    session: Session, digests: bytes, repo: Repository, repo_name: str, branch: str, org_id: int
) -> list[str]:
    """Rows for the branch's unaudited draftroom commits (called under the branch lock)."""
    missing: list[LogEntry] = []
    batch: list[LogEntry] = []
    oldest_in_flight: datetime | None = None

    def flush() -> bool:
        """Move unaudited entries of ``batch`` to ``missing``; True once the walk may stop."""
        known = store.audited_shas(session, [e.sha for e in batch], _CHUNK)
        done = False
        for entry in batch:
            if entry.sha not in known:
                missing.append(entry)
            elif oldest_in_flight is not None and entry.time < oldest_in_flight:
                done = True
                break
        batch.clear()
        return done

    for entry in _walk(repo, branch):
        if TOOL_TRAILER not in entry.trailers:
            break  # below the sandbox's own commits: the base branch's history
        if oldest_in_flight is None:
            oldest_in_flight = entry.time - AUDIT_LAG
        batch.append(entry)
        if (len(batch) == 50 or entry.time < oldest_in_flight) and flush():
            break
    if batch:
        flush()
    for entry in missing:
        key = store.get_api_key(session, entry.trailers.get(KEY_TRAILER, ""))
        if key is not None and key.org_id != org_id:
            key = None  # a trailer naming another org's key (a forged commit) names no one
        record_event(
            session,
            digests,
            at=entry.time,
            request_id=entry.trailers.get(REQUEST_TRAILER, "reconciled")[:64],
            tool=entry.trailers[TOOL_TRAILER][:100],
            outcome="ok",
            duration_ms=0.0,
            token_id=entry.trailers.get(TOKEN_TRAILER),
            api_key_id=key.id if key else None,
            org_id=org_id,
            user_id=key.user_id if key else None,
            repo=repo_name,
            branch=branch,
            commit_sha=entry.sha,
            detail={"reconciled": True},
        )
    return [entry.sha for entry in missing]


def _mark_missing(
    session: Session, digests: bytes, repo: Repository, repo_name: str, branch: str
) -> list[str]:
    """Audit rows claiming a commit git does not have are corrected by a new row (rows are
    never edited: the trail is chained)."""
    rows = store.newest_commit_claims(session, repo_name, branch, CHECKED_CLAIMS)
    missing = []
    for row in rows:
        assert row.commit_sha is not None
        try:
            repo.resolve(row.commit_sha)
        except RefNotFound:
            missing.append(row.commit_sha)
            record_event(
                session,
                digests,
                request_id=f"{store.AMENDS}{row.id}",
                tool=AMEND_TOOL,
                outcome="error",
                error_code="commit_missing",
                duration_ms=0.0,
                repo=repo_name,
                branch=branch,
                org_id=row.org_id,
                detail={"reconciled": True, "missing_commit": row.commit_sha, "amends": row.id},
            )
    return missing
