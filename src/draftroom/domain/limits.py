"""The limits every transport shares: sizes of a commit and a sandbox, commit rate, lockout.

Checked here, below the adapters, so HTTP and MCP refuse the same things with the same
errors (413 ``payload_too_large``, 429 ``rate_limited`` with ``retry_after``). Counters come
from the audit table, which every worker process writes, so they hold across processes.
Limits are checked before anything is written: a refused commit writes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from draftroom.config import Settings
from draftroom.domain.calls import Call
from draftroom.errors import PayloadTooLarge, RateLimited
from draftroom.git import Change
from draftroom.store import AuditEvent, utc_now

if TYPE_CHECKING:  # sandboxes imports this module for the lockout check
    from draftroom.domain.sandboxes import SandboxAccess

RATE_WINDOW = timedelta(minutes=1)
FAILED_TOKEN_CODE = "unauthorized"
"""The code of a wrong, unknown or malformed reuse token (not expired/revoked: those were right)."""


def check_change_set(settings: Settings, changes: Sequence[Change]) -> None:
    """Refuse a commit with too many files or a file over the per-file limit."""
    if len(changes) > settings.max_files_per_commit:
        raise PayloadTooLarge(
            f"a commit may change at most {settings.max_files_per_commit} files, got "
            f"{len(changes)}; split it into several commits",
            limit=settings.max_files_per_commit,
            files=len(changes),
        )
    for change in changes:
        size = len(change.data) if change.data is not None else 0
        if size > settings.max_file_bytes:
            raise PayloadTooLarge(
                f"{change.path!r} is {size} bytes; files may be at most "
                f"{settings.max_file_bytes} bytes",
                path=change.path,
                limit=settings.max_file_bytes,
                size=size,
            )


def check_sandbox_size(
    settings: Settings,
    access: SandboxAccess,
    head: str,
    changes: Sequence[Change],
    old_size: Callable[[str], int | None],
) -> None:
    """Refuse a commit that grows the branch's files past ``max_sandbox_bytes``.

    A commit that shrinks or keeps the size always passes, so an over-limit sandbox can
    still be cleaned up.
    """
    growth = 0
    for change in changes:
        before = old_size(change.path) or 0
        after = len(change.data) if change.data is not None else (0 if change.delete else before)
        growth += after - before
    if growth <= 0:
        return
    total = access.repo.tree_size(head) + growth
    if total > settings.max_sandbox_bytes:
        raise PayloadTooLarge(
            f"sandbox {access.branch!r} would hold {total} bytes of files, over its limit of "
            f"{settings.max_sandbox_bytes}; delete files you no longer need first",
            limit=settings.max_sandbox_bytes,
            size=total,
        )


def check_commit_rate(call: Call, access: SandboxAccess, now: datetime | None = None) -> None:
    """Refuse a commit past ``max_commits_per_minute`` for this reuse token.

    One indexed COUNT in the call's session; the commit times are read only to tell a
    refused caller when to retry.
    """
    now = now or utc_now()
    limit = call.services.settings.max_commits_per_minute
    # (repo, branch, at) is indexed; one token opens one branch.
    commits = (
        AuditEvent.repo == access.repo_name,
        AuditEvent.branch == access.branch,
        AuditEvent.at > now - RATE_WINDOW,
        AuditEvent.token_id == access.token_id,
        AuditEvent.outcome == "ok",
        AuditEvent.commit_sha.is_not(None),
    )
    session = call.session
    if (session.scalar(select(func.count()).select_from(AuditEvent).where(*commits)) or 0) < limit:
        return
    times = session.scalars(select(AuditEvent.at).where(*commits).order_by(AuditEvent.at)).all()
    if len(times) >= limit:
        retry = _retry_after(list(times), limit, RATE_WINDOW, now)
        raise RateLimited(
            f"this reuse token made {len(times)} commits in the last minute (limit {limit}); "
            f"wait {retry} s, and batch changes into one /git/commit",
            retry_after=retry,
            limit=limit,
        )


def check_token_lockout(call: Call, session: Session, now: datetime | None = None) -> None:
    """Refuse reuse-token checks from an API key or address with too many recent failures.

    Counted from the audit rows of failed token checks; those carry no repository (the
    token never opened one), which the (repo, branch, at) index finds by range.
    """
    settings = call.services.settings
    now = now or utc_now()
    window = timedelta(seconds=settings.token_lockout_seconds)
    rows = session.execute(
        select(AuditEvent.at, AuditEvent.api_key_id, AuditEvent.detail)
        .where(
            AuditEvent.repo.is_(None),
            AuditEvent.branch.is_(None),
            AuditEvent.at > now - window,
            AuditEvent.error_code == FAILED_TOKEN_CODE,
        )
        .order_by(AuditEvent.at)
    ).all()
    by_key = [at for at, key, _ in rows if key == call.principal.api_key_id]
    by_client = [
        at
        for at, _, detail in rows
        if call.client is not None and (detail or {}).get("client") == call.client
    ]
    limit = settings.token_failures_before_lockout
    for times, who in ((by_key, "this API key"), (by_client, "this address")):
        if len(times) >= limit:
            retry = _retry_after(times, limit, window, now)
            raise RateLimited(
                f"too many wrong reuse tokens from {who} ({len(times)} in "
                f"{settings.token_lockout_seconds} s); wait {retry} s and check the token "
                "you were given",
                retry_after=retry,
            )


def _retry_after(times: list[datetime], limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than ``limit`` of ``times`` (oldest first) are inside the window."""
    frees_at = times[len(times) - limit] + window
    return max(1, math.ceil((frees_at - now).total_seconds()))
