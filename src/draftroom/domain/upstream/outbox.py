"""Push-through: every sandbox commit reaches the upstream branch of the same name, eventually.

A commit is first enqueued (one row per branch in the database, see ``store.upstream``) and
answered locally; a worker then pushes the branch head, which carries every commit under it
in order. A failed push is retried with exponential backoff and survives restarts; it never
undoes or blocks the local commit. A branch the upstream moved on its own (its head is not
an ancestor of ours) is marked ``diverged`` and never overwritten: an admin resolves it.
``main`` is never enqueued by a sandbox commit; only ``publish`` puts it here.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError

from draftroom import store
from draftroom.domain.access import BASE_BRANCH
from draftroom.domain.calls import Call, Services
from draftroom.domain.upstream.access import git_auth
from draftroom.domain.upstream.refs import OUTBOX, pin
from draftroom.errors import DraftroomError, RefNotFound
from draftroom.git import Repository, set_timeouts

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
LEASE_POLL_SECONDS = 0.2


@dataclass(frozen=True)
class PushOutcome:
    """What one attempt did for one branch: ``synced``, ``failed`` or ``diverged``."""

    repo_name: str
    branch: str
    state: str
    sha: str | None
    error: str | None = None


class Wakeups:
    """Callbacks run after every enqueue (the worker's wake-up); one per process, kept by
    ``Services`` (``services.component(Wakeups)``)."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Run ``callback`` after every enqueue from now on; returns the undo function."""
        with self._lock:
            self._callbacks.append(callback)
        return lambda: self._unsubscribe(callback)

    def _unsubscribe(self, callback: Callable[[], None]) -> None:
        with self._lock:
            self._callbacks.remove(callback)

    def notify(self) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            callback()


def on_enqueue(services: Services, callback: Callable[[], None]) -> Callable[[], None]:
    """Run ``callback`` after every enqueue through ``services``; returns the undo function."""
    return services.component(Wakeups).subscribe(callback)


def enqueue_commit(call: Call, branch: str, sha: str, *, has_upstream: bool | None = None) -> None:
    """Owe the upstream ``branch`` at ``sha``: called once per sandbox commit, never raises.

    The commit is already safe in the local repository; if this bookkeeping fails, the
    worker's periodic reconcile still finds the unpushed head. ``has_upstream=False`` (read
    with the reuse token, see ``SandboxAccess``) skips the lookup: an upstream added since
    is caught up by that same reconcile.
    """
    if branch == BASE_BRANCH or call.audit.repo is None or has_upstream is False:
        return
    try:
        with call.services.database.session() as session:
            record = store.get_repository(session, call.principal.org_id, call.audit.repo)
            if record is None or store.get_upstream(session, record.id) is None:
                return
            store.enqueue_outbox(session, record.id, branch, sha)
    except SQLAlchemyError:
        log.warning("could not enqueue %s@%s for upstream push; reconcile will", branch, sha)
        return
    call.services.component(Wakeups).notify()


def retry_delay(services: Services, attempts: int) -> timedelta:
    """Exponential backoff: the base delay doubled per earlier failure, capped."""
    settings = services.settings
    seconds = settings.upstream_retry_seconds * 2 ** min(attempts, 30)
    return timedelta(seconds=min(seconds, settings.upstream_retry_max_seconds))


def drain(
    services: Services,
    owner: str,
    *,
    repository_id: int | None = None,
    progress: Callable[[PushOutcome], None] | None = None,
) -> list[PushOutcome]:
    """Push every due branch this process can lease.

    With ``repository_id``: every unpushed branch of that repository, retry delays ignored.
    """
    now = store.utc_now()
    with services.database.session() as session:
        if repository_id is None:
            ids = [e.id for e in store.due_outbox(session, now)]
        else:
            ids = [
                e.id
                for e in store.list_outbox(session, repository_id)
                if e.state in ("pending", "failed")
            ]
    outcomes = []
    for entry_id in ids:
        with services.database.session() as session:
            leased = store.lease_outbox_entry(session, entry_id, owner, now, now + LEASE)
        if leased:
            outcome = push_entry(services, entry_id, owner)
            outcomes.append(outcome)
            if progress is not None:
                progress(outcome)
    return outcomes


def push_now(services: Services, repository_id: int, branch: str, sha: str) -> PushOutcome | None:
    """Enqueue ``branch`` at ``sha`` and push it at once, which checks first whether the
    upstream branch went its own way (then ``diverged``). While another pusher (any node)
    holds the repository, wait for it up to the upstream timeout; None if it still does."""
    owner = f"now-{uuid.uuid4().hex}"
    with services.database.session() as session:
        store.enqueue_outbox(session, repository_id, branch, sha)
        entry = store.get_outbox_entry(session, repository_id, branch)
        assert entry is not None
        entry_id = entry.id
    deadline = time.monotonic() + services.settings.upstream_timeout_seconds
    while True:
        now = store.utc_now()
        with services.database.session() as session:
            leased = store.lease_outbox_entry(session, entry_id, owner, now, now + LEASE)
        if leased:
            return push_entry(services, entry_id, owner)
        if time.monotonic() >= deadline:
            return None
        time.sleep(LEASE_POLL_SECONDS)


def push_entry(services: Services, entry_id: int, owner: str) -> PushOutcome:
    """One push attempt for a leased row; records its outcome and releases the lease."""
    with services.database.session() as session:
        entry = store.get_outbox_entry_by_id(session, entry_id)
        assert entry is not None
        upstream = store.get_upstream(session, entry.repository_id)
        record = store.get_repository_by_id(session, entry.repository_id)
        assert upstream is not None and record is not None
        _ = upstream.credential  # load while the session is open
        branch, generation, attempts = entry.branch, entry.generation, entry.attempts
        previous = entry.pushed_sha
    repo = services.git(record.path)
    try:
        head = repo.head(branch)
    except RefNotFound:  # archived or deleted: nothing left to push
        with services.database.session() as session:
            store.finish_push(session, entry_id, owner, pushed_sha=previous, generation=generation)
        return PushOutcome(record.name, branch, "synced", previous)
    try:
        outcome = _push(services, upstream, record.name, repo, branch, head)
    except DraftroomError as exc:
        outcome = PushOutcome(record.name, branch, "failed", head, exc.message)
    with services.database.session() as session:
        if outcome.state == "synced":
            store.finish_push(session, entry_id, owner, pushed_sha=head, generation=generation)
        elif outcome.state == "diverged":
            store.mark_diverged(session, entry_id, owner, error=outcome.error or "diverged")
        else:
            retry_at = store.utc_now() + retry_delay(services, attempts)
            store.fail_push(session, entry_id, owner, error=outcome.error or "", retry_at=retry_at)
    if outcome.state == "failed":
        log.info("push of %s/%s failed, will retry: %s", record.name, branch, outcome.error)
    return outcome


def diverged_message(branch: str, theirs: str) -> str:
    return (
        f"upstream branch {branch!r} is at {theirs[:12]}, which is not in this sandbox's "
        f"history: someone pushed to it directly. Pushing stopped; an admin runs "
        f"'draftroom repo resolve REPO {branch} --adopt-theirs' or '--force-ours'"
    )


def _push(
    services: Services,
    upstream: store.Upstream,
    repo_name: str,
    repo: Repository,
    branch: str,
    head: str,
) -> PushOutcome:
    """Push ``head`` to the upstream ``branch`` unless the upstream went its own way."""
    set_timeouts(services.settings.upstream_timeout_seconds)
    auth = git_auth(services, upstream)
    target = upstream.main_branch if branch == BASE_BRANCH else branch
    theirs = repo.remote_heads(upstream.url, auth).get(target)
    if theirs == head:
        return PushOutcome(repo_name, branch, "synced", head)
    if theirs is not None and not _contains(repo, head, theirs):
        return PushOutcome(repo_name, branch, "diverged", head, diverged_message(branch, theirs))
    pin(repo, OUTBOX + branch, head)
    rejected = repo.push(upstream.url, auth, [f"{OUTBOX}{branch}:refs/heads/{target}"])
    if rejected:
        theirs = repo.remote_heads(upstream.url, auth).get(target)
        if theirs is not None and theirs != head and not _contains(repo, head, theirs):
            return PushOutcome(
                repo_name, branch, "diverged", head, diverged_message(branch, theirs)
            )
        reason = "; ".join(f"{ref}: {why}" for ref, why in rejected.items())
        return PushOutcome(repo_name, branch, "failed", head, f"upstream refused: {reason}")
    return PushOutcome(repo_name, branch, "synced", head)


def _contains(repo: Repository, head: str, theirs: str) -> bool:
    """True if ``theirs`` is ``head`` or one of its ancestors (a push would fast-forward)."""
    return repo.has_commit(theirs) and repo.is_ancestor(theirs, head)
