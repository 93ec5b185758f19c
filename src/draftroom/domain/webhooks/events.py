"""What a verified delivery does: the forge's event, normalised, then acted on.

``push`` to the upstream's default branch fetches ``main`` now and tells the sandboxes what
people changed; ``push`` to a sandbox branch that draftroom did not make (its new head is
not in our branch) checks that branch for divergence now; a pull (merge) request of a
sandbox closed or merged upstream updates the merge request that published it; ``ping``
answers. Anything else is taken and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from draftroom import store
from draftroom.domain.calls import Services
from draftroom.domain.human_changes import record_human_changes
from draftroom.domain.upstream import fetch_main, push_now, reconcile
from draftroom.domain.webhooks.signatures import Forge
from draftroom.errors import RefNotFound

HEADS = "refs/heads/"
GITLAB_EVENTS = {"push": "push", "tag_push": "tag_push", "merge_request": "pull_request"}


@dataclass(frozen=True)
class Handled:
    """``action``: what the delivery did (``fetched``, ``checked``, ``followed``, ``pong``,
    ``ignored``); ``detail``: its facts, JSON-safe."""

    event: str
    action: str
    detail: dict[str, Any] = field(default_factory=dict)


def event_name(forge: Forge, header_event: str | None, payload: dict[str, Any]) -> str:
    """The event as GitHub names it (``push``, ``pull_request``, ``ping``, ...)."""
    if forge == "gitlab":
        kind = payload.get("object_kind")
        return GITLAB_EVENTS.get(kind, str(kind)) if isinstance(kind, str) else "unknown"
    return (header_event or "unknown").strip().lower()[:64]


def handle(
    services: Services, repository_id: int, forge: Forge, event: str, payload: dict[str, Any]
) -> Handled:
    if event == "ping":
        return Handled(event, "pong")
    if event == "push":
        return _push(services, repository_id, payload)
    if event == "pull_request":
        return _pull_request(services, repository_id, forge, payload)
    return Handled(event, "ignored")


def _push(services: Services, repository_id: int, payload: dict[str, Any]) -> Handled:
    ref, after = payload.get("ref"), payload.get("after")
    if not isinstance(ref, str) or not ref.startswith(HEADS):
        return Handled("push", "ignored", {"reason": "not a branch"})
    branch = ref[len(HEADS) :]
    with services.database.session() as session:
        upstream = store.get_upstream(session, repository_id)
        assert upstream is not None  # the delivery was matched to it
        main_branch, path = upstream.main_branch, upstream.repository.path
        sandbox = store.get_sandbox(session, repository_id, branch)
        active = sandbox is not None and sandbox.status == "active"
    if branch == main_branch:
        fetched = fetch_main(services, repository_id)
        reconcile(services, repository_id)
        told = record_human_changes(services, repository_id)
        detail = {"main": fetched.main, "state": fetched.main_state, "told": told}
        return Handled("push", "fetched", {**detail, "error": fetched.error})
    if not active:
        return Handled("push", "ignored", {"reason": "not main or an active sandbox"})
    repo = services.git(path)
    try:
        head = repo.head(branch)
    except RefNotFound:
        return Handled("push", "ignored", {"reason": "no such branch here"})
    if isinstance(after, str) and repo.has_commit(after) and repo.is_ancestor(after, head):
        return Handled("push", "ignored", {"reason": "draftroom's own push"})
    outcome = push_now(services, repository_id, branch, head)
    state = "pending" if outcome is None else outcome.state
    return Handled("push", "checked", {"branch": branch, "state": state})


def _closed_request(forge: Forge, payload: dict[str, Any]) -> tuple[str, str | None, bool] | None:
    """(head branch, web URL, merged) of a closed pull or merge request; None otherwise."""
    if forge == "gitlab":
        found = payload.get("object_attributes")
        if not isinstance(found, dict) or found.get("action") not in ("merge", "close"):
            return None
        branch, url, merged = (
            found.get("source_branch"),
            found.get("url"),
            found["action"] == "merge",
        )
    else:
        found = payload.get("pull_request")
        if payload.get("action") != "closed" or not isinstance(found, dict):
            return None
        head = found.get("head")
        branch = head.get("ref") if isinstance(head, dict) else None
        url, merged = found.get("html_url"), found.get("merged") is True
    if not isinstance(branch, str):
        return None
    return branch, url if isinstance(url, str) else None, merged


def _pull_request(
    services: Services, repository_id: int, forge: Forge, payload: dict[str, Any]
) -> Handled:
    closed = _closed_request(forge, payload)
    if closed is None:
        return Handled("pull_request", "ignored", {"reason": "not closed"})
    branch, url, merged = closed
    state = "merged" if merged else "closed"
    followed = []
    with services.database.session() as session:
        for request in store.list_merge_requests(session, repository_id=repository_id):
            published = request.preview.get("published") or {}
            if request.branch != branch or published.get("mode") != "pull_request":
                continue
            if url and published.get("pull_request_url") not in (None, url):
                continue
            closed_at = store.utc_now().isoformat(timespec="seconds")
            published = {**published, "state": state, "closed_at": closed_at}
            request.preview = {**request.preview, "published": published}
            followed.append(request.id)
    action = "followed" if followed else "ignored"
    return Handled("pull_request", action, {"merge_requests": followed, "state": state})
