"""Daily write quotas: the file bytes one sandbox, and one repository, may add per UTC day.

The branch-size limit (``check_sandbox_size``) sees only the tip, so rewriting one path
again and again would grow the repository without bound; these count every blob a
commit adds. The counts are sums over the audit table (``bytes_written`` of the calls that
succeeded), which every worker writes, so they hold across processes. Calls in flight at
once are not yet counted, so a burst may overshoot by what those calls add. With
``DRAFTROOM_REDIS_URL`` they are counted in Redis as each commit is admitted, exact across
nodes (a commit that fails afterwards keeps its count).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from draftroom import store
from draftroom.domain.access import SandboxAccess
from draftroom.domain.calls import Call, SharedCounters
from draftroom.errors import PayloadTooLarge
from draftroom.git import Change
from draftroom.store import utc_now

DAY = timedelta(days=1)


def check_daily_bytes(
    call: Call, access: SandboxAccess, changes: Sequence[Change], now: datetime | None = None
) -> None:
    """Refuse (413) a commit whose new file content passes a daily quota; else count it."""
    added = sum(len(change.data) for change in changes if change.data is not None)
    if added == 0:
        return
    settings = call.services.settings
    now = now or utc_now()
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    quotas = (
        (f"sandbox {access.branch!r}", access.branch, settings.max_sandbox_bytes_per_day),
        (f"repository {access.repo_name!r}", None, settings.max_repo_growth_per_day),
    )
    counters = call.services.counters
    if counters is not None:
        _count_shared(counters, access, quotas, added, today, now)
        call.audit.bytes_written = (call.audit.bytes_written or 0) + added
        return
    written = store.bytes_written_since(
        call.session,
        org_id=call.principal.org_id,
        repo=access.repo_name,
        branch=access.branch,
        since=today,
    )
    for (what, _, limit), used in zip(quotas, written, strict=True):
        if used + added > limit:
            raise _over_quota(what, used, added, limit, today + DAY, now)
    call.audit.bytes_written = (call.audit.bytes_written or 0) + added


def _count_shared(
    counters: SharedCounters,
    access: SandboxAccess,
    quotas: Sequence[tuple[str, str | None, int]],
    added: int,
    today: datetime,
    now: datetime,
) -> None:
    """Count ``added`` against each quota in Redis, exact across nodes; a refusal takes
    back what this commit had already counted. Bytes are counted when admitted."""
    day = today.strftime("%Y-%m-%d")
    expiry = int(2 * DAY.total_seconds())
    counted: list[str] = []
    for what, branch, limit in quotas:
        key = f"bytes:{day}:{access.repo.path}:{branch or ''}"
        used = counters.add(key, added, limit, expiry)
        if used is not None:
            for done in counted:
                counters.add(done, -added, limit, expiry)
            raise _over_quota(what, used, added, limit, today + DAY, now)
        counted.append(key)


def _over_quota(
    what: str, used: int, added: int, limit: int, frees_at: datetime, now: datetime
) -> PayloadTooLarge:
    wait = max(1, int((frees_at - now).total_seconds()))
    at = frees_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return PayloadTooLarge(
        f"{what} has written {used} bytes of files today (UTC) and this commit adds {added}, "
        f"over its limit of {limit} bytes per day; it frees up at {at} (in {wait} s)",
        limit=limit,
        used=used,
        size=added,
        frees_at=at,
        retry_after=wait,
    )
