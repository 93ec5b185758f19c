"""Wrong-reuse-token lockout: too many failed token checks and further checks are refused a while.

Counted from the audit table, which every worker writes, so it holds across processes.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.calls import Call
from draftroom.errors import RateLimited
from draftroom.store import utc_now

FAILED_TOKEN_CODE = "unauthorized"
"""The code of a wrong, unknown or malformed reuse token (not expired/revoked: those were right)."""


def check_token_lockout(call: Call, session: Session, now: datetime | None = None) -> None:
    """Refuse reuse-token checks from an API key or address with too many recent failures.

    Counted from the audit rows of failed token checks; those carry no repository (the
    token never opened one), which the (repo, branch, at) index finds by range.
    """
    settings = call.services.settings
    now = now or utc_now()
    window = timedelta(seconds=settings.token_lockout_seconds)
    rows = store.failed_token_checks_since(session, now - window, FAILED_TOKEN_CODE)
    by_key = [at for at, key, _ in rows if key == call.principal.api_key_id]
    # A row without a key is a refused API key, not a wrong reuse token: not counted here.
    by_client = [
        at
        for at, key, detail in rows
        if key is not None
        and call.client is not None
        and (detail or {}).get("client") == call.client
    ]
    limit = settings.token_failures_before_lockout
    for times, who in ((by_key, "this API key"), (by_client, "this address")):
        if len(times) >= limit:
            retry = retry_after(times, limit, window, now)
            raise RateLimited(
                f"too many wrong reuse tokens from {who} ({len(times)} in "
                f"{settings.token_lockout_seconds} s); wait {retry} s and check the token "
                "you were given",
                retry_after=retry,
            )


def retry_after(times: list[datetime], limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than ``limit`` of ``times`` (oldest first) are inside the window."""
    frees_at = times[len(times) - limit] + window
    return max(1, math.ceil((frees_at - now).total_seconds()))
