"""Publishing an approved merge: push ``main`` upstream, or open a pull request on GitHub.

The mode is the repository's (``upstreams.publish``). Pushing ``main`` goes through the same
durable outbox as sandbox commits (so an outage delays it, never loses it), but only this
module ever enqueues ``main``: no reuse token can reach it. A pull request needs the sandbox
branch upstream first, so it is pushed right away; its URL is kept on the branch's row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from draftroom import store
from draftroom.domain.access import BASE_BRANCH
from draftroom.domain.calls import Services
from draftroom.domain.upstream.access import api_token, repo_on_github
from draftroom.domain.upstream.github import GitHubClient
from draftroom.domain.upstream.outbox import push_now
from draftroom.errors import UpstreamUnavailable

PublishState = Literal["none", "pushed", "pending", "diverged", "pull_request"]


@dataclass(frozen=True)
class PublishResult:
    """``pending``: the push is queued and retried; ``error`` says why it has not landed yet."""

    mode: str
    state: PublishState
    sha: str | None = None
    pull_request_url: str | None = None
    error: str | None = None


def _push_now(
    services: Services, repository_id: int, branch: str, sha: str
) -> tuple[str, str | None]:
    """Enqueue ``branch`` and try it at once; its state and the error, if any."""
    outcome = push_now(services, repository_id, branch, sha)
    if outcome is None:  # the worker is pushing it right now
        return "pending", None
    return outcome.state, outcome.error


def publish_approved(
    services: Services, repository_id: int, branch: str, *, title: str | None = None
) -> PublishResult:
    """Call after a merge of ``branch`` into local ``main`` was approved."""
    with services.database.session() as session:
        upstream = store.get_upstream(session, repository_id)
        record = store.get_repository_by_id(session, repository_id)
        if upstream is None or record is None:
            return PublishResult("none", "none")
        _ = upstream.credential
    repo = services.git(record.path)
    if upstream.publish == "push":
        main = repo.head(BASE_BRANCH)
        state, error = _push_now(services, repository_id, BASE_BRANCH, main)
        shown: PublishState = (
            "pushed" if state == "synced" else "diverged" if state == "diverged" else "pending"
        )
        return PublishResult("push", shown, main, error=error)
    head = repo.head(branch)
    state, error = _push_now(services, repository_id, branch, head)
    if state != "synced":
        raise UpstreamUnavailable(
            f"could not push {branch!r} upstream to open its pull request ({error or state}); "
            "it stays queued: run 'draftroom repo sync' and approve again"
        )
    on_github = repo_on_github(upstream)
    client = GitHubClient(on_github.api_url, timeout=services.settings.upstream_timeout_seconds)
    try:
        url = client.create_pull_request(
            api_token(services, upstream),
            on_github,
            head=branch,
            base=upstream.main_branch,
            title=title or f"draftroom: {branch}",
            body=f"Approved in draftroom: sandbox branch `{branch}` at {head[:12]}.",
        )
    finally:
        client.close()
    with services.database.session() as session:
        entry = store.get_outbox_entry(session, repository_id, branch)
        if entry is not None:
            entry.pull_request_url = url
    return PublishResult("pull_request", "pull_request", head, pull_request_url=url)
