"""The checks a tool's change set passes before it becomes a commit: sizes, daily quotas,
rate, secrets.

Sizes (413 ``payload_too_large``) and rate (429 ``rate_limited`` with ``retry_after``) are
counted from the audit table, which every worker writes, so they hold across processes.

``check_commit`` runs in ``commit_and_log`` ahead of the git write, so whatever refuses a
commit has written nothing. Reads the current branch head once for the old sizes and the
old contents the secret scan compares against, unless the caller hands over what it read
(``old``). ``max_files_per_commit`` is the one file-count cap: the tools' schemas set none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from draftroom import store
from draftroom.config import Settings
from draftroom.domain.access import SandboxAccess, retry_after
from draftroom.domain.calls import Call
from draftroom.domain.commits.quotas import check_daily_bytes
from draftroom.domain.commits.secrets import refuse_secrets, scan_changes, scan_paths, scan_text
from draftroom.errors import PathNotFound, PayloadTooLarge, RateLimited
from draftroom.git import Change
from draftroom.store import utc_now

RATE_WINDOW = timedelta(minutes=1)


def check_commit(
    call: Call,
    access: SandboxAccess,
    changes: Sequence[Change],
    *,
    allow_secrets: bool = False,
    old: Mapping[str, bytes | None] | None = None,
    message: str | None = None,
) -> None:
    """Raise the first refusal (413, 429, 422 ``secret_detected``) for ``changes``, or pass.

    The scan covers the files, their paths and the commit ``message``. ``allow_secrets``
    lets found secrets through, and the audit row says which were let in.
    ``old`` is the content of changed paths the caller already read (None: absent).
    """
    settings = call.services.settings
    check_change_set(settings, changes)
    check_commit_rate(call, access)
    head = access.head()
    known = old or {}
    checked = {c.path for c in changes if c.path_checked}

    def old_size(path: str) -> int | None:
        if path in known:
            data = known[path]
            return None if data is None else len(data)
        return _old_size(access, head, path, path in checked)

    def old_data(path: str) -> bytes | None:
        if path in known:
            return known[path]
        return _old_data(access, head, path, path in checked)

    check_sandbox_size(settings, access, head, changes, old_size)
    check_daily_bytes(call, access, changes)
    findings = scan_text("message", message) + scan_paths(changes)
    findings += scan_changes(changes, old_data)
    if allow_secrets:
        call.audit.detail["allow_secrets"] = True
        if findings:
            call.audit.detail["secrets_allowed"] = [f.to_dict() for f in findings[:20]]
    elif findings:
        raise refuse_secrets(findings)


def _old_size(access: SandboxAccess, head: str, path: str, checked: bool) -> int | None:
    try:
        return access.repo.file_size(head, path, checked=checked)
    except PathNotFound:
        return None


def _old_data(access: SandboxAccess, head: str, path: str, checked: bool) -> bytes | None:
    try:
        return access.repo.read_file(head, path, checked=checked).data
    except PathNotFound:
        return None


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
    refused caller when to retry. With Redis, one moving-window hit shared by every node.
    """
    now = now or utc_now()
    limit = call.services.settings.max_commits_per_minute
    counters = call.services.counters
    if counters is not None:
        seconds = int(RATE_WINDOW.total_seconds())
        retry = counters.take("commits", access.token_id, limit, seconds)
        if retry is not None:
            raise RateLimited(
                f"this reuse token made {limit} commits in the last minute (limit {limit}); "
                f"wait {retry} s, and batch changes into one git.commit",
                retry_after=retry,
                limit=limit,
            )
        return
    # (repo, branch, at) is indexed; one token opens one branch.
    repo, branch, token, since = access.repo_name, access.branch, access.token_id, now - RATE_WINDOW
    session = call.session
    if (
        store.count_commits_since(session, repo=repo, branch=branch, token_id=token, since=since)
        < limit
    ):
        return
    times = store.commit_times_since(session, repo=repo, branch=branch, token_id=token, since=since)
    if len(times) >= limit:
        retry = retry_after(list(times), limit, RATE_WINDOW, now)
        raise RateLimited(
            f"this reuse token made {len(times)} commits in the last minute (limit {limit}); "
            f"wait {retry} s, and batch changes into one git.commit",
            retry_after=retry,
            limit=limit,
        )
