"""Fetching the upstream's ``main`` into the local one, and finding heads nobody enqueued.

Local ``main`` only ever fast-forwards to the upstream's: it is otherwise moved only by
approved merges, so when both sides moved the fetch records ``diverged`` and leaves ``main``
alone. New sandboxes then start from the current upstream main, and ``sandbox.status``
counts how far behind an older one is.
"""

from __future__ import annotations

from dataclasses import dataclass

from draftroom import store
from draftroom.domain.access import BASE_BRANCH
from draftroom.domain.calls import Services
from draftroom.domain.upstream.access import git_auth
from draftroom.domain.upstream.refs import (
    REPLACED,
    TRACKING,
    merged_upstream,
    move_branch,
    pin,
)
from draftroom.errors import DraftroomError, RefNotFound
from draftroom.git import Repository, set_timeouts


@dataclass(frozen=True)
class FetchOutcome:
    """``main_state``: ``synced`` (fast-forwarded or equal), ``ahead`` or ``diverged``."""

    repo_name: str
    main_state: store.MainState
    main: str | None
    error: str | None = None


def fetch_main(services: Services, repository_id: int) -> FetchOutcome:
    """Fetch the upstream main and fast-forward the local one to it when that is safe."""
    with services.database.session() as session:
        upstream = store.get_upstream(session, repository_id)
        record = store.get_repository_by_id(session, repository_id)
        assert upstream is not None and record is not None
        _ = upstream.credential
    repo = services.git(record.path)
    tracking = TRACKING + upstream.main_branch
    state, error = upstream.main_state, None
    try:
        set_timeouts(services.settings.upstream_timeout_seconds)
        auth = git_auth(services, upstream)
        repo.fetch(upstream.url, auth, [f"+refs/heads/{upstream.main_branch}:{tracking}"])
        theirs = repo.read_ref(tracking)
        if theirs is None:
            raise RefNotFound(f"the upstream has no branch {upstream.main_branch!r}")
        state = _follow(repo, repo.head(BASE_BRANCH), theirs, upstream.publish)
    except DraftroomError as exc:
        error = exc.message
    with services.database.session() as session:
        row = store.get_upstream(session, repository_id)
        assert row is not None
        row.last_fetch_at = store.utc_now()
        row.fetch_error = error
        row.main_state = state
    return FetchOutcome(record.name, state, _main(services, record.path), error)


def _main(services: Services, path: str) -> str | None:
    try:
        return services.git(path).head(BASE_BRANCH)
    except RefNotFound:
        return None


def _follow(
    repo: Repository, ours: str, theirs: str, publish: store.PublishMode
) -> store.MainState:
    """Fast-forward local main to ``theirs`` when safe; the resulting state of main."""
    for _ in range(5):
        if ours == theirs:
            return "synced"
        if repo.is_ancestor(theirs, ours):
            return "ahead"  # an approved merge not yet published
        if repo.is_ancestor(ours, theirs):
            if move_branch(repo, BASE_BRANCH, theirs, expected=ours):
                return "synced"
        elif publish == "pull_request" and merged_upstream(repo, ours, theirs):
            # Our merge commits were published as pull requests that GitHub merged itself.
            pin(repo, REPLACED + BASE_BRANCH, ours)
            if move_branch(repo, BASE_BRANCH, theirs, expected=ours):
                return "synced"
        else:
            return "diverged"
        ours = repo.head(BASE_BRANCH)  # a merge landed meanwhile: decide again
    return "diverged"


def reconcile(services: Services, repository_id: int) -> int:
    """Enqueue every active sandbox whose head the outbox has not seen; how many it found.

    Covers commits whose enqueue was lost (a crash between commit and bookkeeping) and
    commits made outside the tools; the outbox is then complete without trusting any caller.
    """
    found = 0
    with services.database.session() as session:
        record = store.get_repository_by_id(session, repository_id)
        assert record is not None
        repo = services.git(record.path)
        known = {e.branch: e.target_sha for e in store.list_outbox(session, repository_id)}
        for sandbox in store.list_sandboxes(session, repository_id, status="active"):
            try:
                head = repo.head(sandbox.branch)
            except RefNotFound:
                continue
            if sandbox.branch in known:
                stale = known[sandbox.branch] != head
            else:
                stale = head != _main(services, record.path)
            if stale:
                store.enqueue_outbox(session, repository_id, sandbox.branch, head)
                found += 1
    return found
