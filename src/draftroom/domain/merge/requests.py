"""Merge requests: a sandbox asks to merge into ``main``; only a human decides.

``request_merge`` records a preview and writes no ref; ``approve`` and ``reject`` are only
reached through admin-scoped tools (an admin API key, or the CLI on its own data dir), so a
reuse token can never merge. An approval that conflicts writes nothing and leaves the request
pending. ``.logs/*.yaml`` files are append-only lists, merged as a union, so the logs of two
sandboxes never conflict.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any, Literal

import yaml
from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.access import BASE_BRANCH, SandboxAccess, repository_record
from draftroom.domain.calls import Call
from draftroom.domain.commits import LOGS_DIR, refuse_secret_texts
from draftroom.domain.merge import approvals, overlap
from draftroom.domain.merge.patch import request_patch
from draftroom.domain.merge.squash import MERGER, archive_merged, squash_into_main
from draftroom.domain.merge.views import MergeRequestView, view
from draftroom.domain.upstream import publish_approved
from draftroom.errors import (
    Conflict,
    EmptyChangeSet,
    InvalidInput,
    MergeConflict,
    NotFound,
    UpstreamUnavailable,
)
from draftroom.git import MergePreview, Repository

PREVIEW_FILES = 100
Strategy = Literal["squash", "merge"]
APPROVED_BY_TRAILER = "Draftroom-Approved-By"
MERGE_REQUEST_TRAILER = "Draftroom-Merge-Request"


def union_log_lists(
    path: str, base: bytes | None, ours: bytes | None, theirs: bytes | None
) -> bytes | None:
    """Resolver for ``Repository.merge``: a ``.logs/*.yaml`` list becomes base + both additions.

    Keeps ``ours`` as written (comments included) and appends what only ``theirs`` added.
    Anything else, a deleted side, or a file that is not a YAML list stays a conflict (None).
    """
    if not (path.startswith(LOGS_DIR + "/") and path.endswith(".yaml")):
        return None
    if ours is None or theirs is None:
        return None
    base_items, our_items, their_items = (_yaml_list(b) for b in (base or b"", ours, theirs))
    if base_items is None or our_items is None or their_items is None:
        return None
    added = [i for i in their_items if i not in base_items and i not in our_items]
    text = ours if not ours or ours.endswith(b"\n") else ours + b"\n"
    if added:
        text += yaml.safe_dump(added, sort_keys=False).encode()
    if _yaml_list(text) != our_items + added:  # e.g. ours was a flow-style "[]"
        text = yaml.safe_dump(our_items + added, sort_keys=False).encode()
    return text


def _yaml_list(data: bytes) -> list[Any] | None:
    try:
        loaded = yaml.safe_load(data)
    except yaml.YAMLError:
        return None
    if loaded is None:
        return []
    return loaded if isinstance(loaded, list) else None


def preview_merge(repo: Repository, source: str) -> dict[str, Any]:
    """What merging ``source`` into ``main`` would do now, as stored JSON; writes nothing.

    ``conflicts`` leaves out the ``.logs/`` lists the union resolver settles (``resolved``);
    ``files`` leaves out ``.logs/`` entries (counted in ``log_files``).
    """
    found = repo.merge_preview(source, BASE_BRANCH)
    resolved = [path for path in found.conflicts if _settles(repo, found, path)]
    shown = [f for f in found.files if not f.path.startswith(LOGS_DIR + "/")]
    return {
        "base": found.base,
        "source_head": found.source_head,
        "target_head": found.target_head,
        "up_to_date": found.up_to_date,
        "fast_forward": found.fast_forward,
        "files": [
            {
                "path": f.path,
                "status": f.status,
                "old_path": f.old_path,
                "additions": f.additions,
                "deletions": f.deletions,
                "binary": f.binary,
            }
            for f in shown[:PREVIEW_FILES]
        ],
        "files_total": len(shown),
        "log_files": len(found.files) - len(shown),
        "additions": sum(f.additions for f in shown),
        "deletions": sum(f.deletions for f in shown),
        "conflicts": [path for path in found.conflicts if path not in resolved],
        "resolved": resolved,
    }


def _settles(repo: Repository, found: MergePreview, path: str) -> bool:
    def data(ref: str | None) -> bytes | None:
        if ref is None:
            return None
        try:
            return repo.read_file(ref, path).data
        except NotFound:
            return None

    sides = (data(found.base), data(found.target_head), data(found.source_head))
    return union_log_lists(path, *sides) is not None


def _one_line(text: str, what: str) -> str:
    text = text.strip()
    if not text or any(ord(ch) < 0x20 for ch in text):
        raise InvalidInput(f"{what} must be one non-empty line of text")
    return text


def request_merge(
    call: Call, session: Session, access: SandboxAccess, title: str, description: str | None
) -> MergeRequestView:
    """Open a pending request for the branch's head; an older pending one is superseded."""
    title = _one_line(title, "title")
    if description is not None and "\x00" in description:
        raise InvalidInput("description must not contain NUL characters")
    refuse_secret_texts(title=title, description=description)
    head = access.head()
    preview = preview_merge(access.repo, head)
    if preview["up_to_date"]:
        raise EmptyChangeSet(
            f"nothing to merge: main already has every commit of {access.branch!r}", head=head
        )
    sandbox = store.get_sandbox_by_id(session, access.sandbox_id)
    assert sandbox is not None  # open_sandbox just found it
    preview = overlap.annotate(session, access.repo, sandbox, preview)
    older = store.list_merge_requests(session, sandbox_id=sandbox.id, status="pending")
    request = store.add_merge_request(
        session,
        repository_id=sandbox.repository_id,
        sandbox_id=sandbox.id,
        branch=sandbox.branch,
        title=title,
        description=description,
        source_sha=head,
        preview=preview,
        requested_by_key_id=call.principal.api_key_id,
        requested_by_user_id=call.principal.user_id,
    )
    for old in older:
        old.status = "superseded"
        old.decided_at = store.utc_now()
        old.decision_note = f"superseded by merge request #{request.id}"
    opened = view(request)
    summary = {"id": request.id, "branch": sandbox.branch, "title": title, "source_sha": head}
    call.plugins.on_merge_request(call, access, summary)
    return opened


def _find(call: Call, session: Session, merge_request_id: int) -> store.MergeRequest:
    """The request if it belongs to the caller's org (else the same 404 as a missing one)."""
    request = store.get_merge_request(session, merge_request_id)
    if request is None or request.repository.org_id != call.principal.org_id:
        raise NotFound(
            f"no merge request #{merge_request_id}; list them with merge.list",
            merge_request_id=merge_request_id,
        )
    call.audit.repo = request.repository.name
    call.audit.branch = request.branch
    return request


def list_requests(
    call: Call,
    *,
    repo_name: str | None = None,
    status: store.MergeRequestStatus | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[MergeRequestView]:
    """The org's requests, newest first, as stored (see ``show`` for a live preview)."""
    session = call.session
    repository_id = repository_record(call, session, repo_name).id if repo_name else None
    found = store.list_merge_requests(
        session,
        org_id=call.principal.org_id,
        repository_id=repository_id,
        status=status,
        before_id=before_id,
        limit=limit,
    )
    return [view(request) for request in found]


def live_view(session: Session, repo: Repository, request: store.MergeRequest) -> MergeRequestView:
    """The request; a pending one previewed against ``main`` as it is now, with its overlap."""
    if request.status != "pending":
        return view(request)
    live = preview_merge(repo, request.source_sha)
    return view(request, overlap.annotate(session, repo, request.sandbox, live))


def show(call: Call, merge_request_id: int, *, patch: bool = False) -> MergeRequestView:
    """One request; a pending one with its preview against ``main`` as it is now.

    ``patch`` adds the unified diff of what it brings (``patch.request_patch``).
    """
    session = call.session
    request = _find(call, session, merge_request_id)
    repo = call.services.git(request.repository.path)
    steps = 1 + (request.status == "pending") + patch
    if request.status == "pending":
        call.report(0, steps, f"previewing merge request #{request.id} against main")
    found = live_view(session, repo, request)
    if patch:
        call.report(steps - 2, steps, "building the patch")
        diff = request_patch(repo, request, call.services.settings.max_patch_bytes)
        found = replace(found, patch=diff)
    call.report(steps, steps, f"merge request #{request.id}")
    return found


def _require_pending(request: store.MergeRequest, verb: str) -> None:
    if request.status != "pending":
        raise Conflict(
            f"merge request #{request.id} is {request.status}; only a pending request can be "
            f"{verb}",
            status=request.status,
        )


def approve(call: Call, merge_request_id: int, strategy: Strategy = "squash") -> MergeRequestView:
    """Merge the request's commit into ``main`` and close the request.

    ``squash`` (the default) lands one commit on ``main`` and archives the sandbox
    (``squash.py``); ``merge`` fast-forwards or writes a merge commit naming the approver
    (``Draftroom-Approved-By``). On conflict nothing is written to git, the request stays
    pending and the conflicting paths are raised.
    """
    failure: MergeConflict | None = None
    session = call.session
    request = _find(call, session, merge_request_id)
    _require_pending(request, "approved")
    approvals.refuse_self_approval(call, request)
    repo = call.services.git(request.repository.path)
    call.save()  # nothing of the call's may hold SQLite's write lock across the merge
    try:
        sha, fast_forward = _land(call, repo, request, strategy)
    except MergeConflict as exc:
        failure = _conflict(request, exc)
    else:
        request.status = "merged"
        request.merge_sha = sha
        approvals.record_decision(call, request)
        request.preview = {
            **request.preview,
            "fast_forward": fast_forward,
            "strategy": strategy,
        }
        if strategy == "merge" and request.sandbox.status == "active":
            request.sandbox.status = "merged"
        call.audit.commit_sha = sha
    approved = view(request)
    repository_id = request.repository_id
    # Kept whether it merged or conflicted, and committed before publishing talks to git.
    call.save()
    if failure is not None:
        raise failure
    published = _publish(call, approved, repository_id)
    if strategy == "squash":
        _archive_squashed(call, published)
    return published


def _archive_squashed(call: Call, approved: MergeRequestView) -> None:
    """Archive a squash-merged sandbox once published; a pull request not yet opened keeps
    its branch, which the retry pushes."""
    published = approved.preview.get("published") or {}
    if published.get("mode") == "pull_request" and published.get("state") == "pending":
        return
    session = call.session
    request = _find(call, session, approved.id)
    archive_merged(call.services.git(request.repository.path), request.sandbox)


def _land(
    call: Call, repo: Repository, request: store.MergeRequest, strategy: Strategy
) -> tuple[str, bool]:
    """Write the approved request into ``main``: (the new head, whether it fast-forwarded)."""
    approver = call.principal.api_key_id
    trailers = {
        "Draftroom-Tool": call.tool,
        "Draftroom-Request-Id": call.request_id,
        MERGE_REQUEST_TRAILER: str(request.id),
        APPROVED_BY_TRAILER: approver,
    }
    if strategy == "squash":
        return squash_into_main(repo, request, approver, trailers).sha, False
    result = repo.merge(
        request.source_sha,
        BASE_BRANCH,
        message=(
            f"Merge {request.branch}: {request.title}\n\n"
            f"Merge request #{request.id}, approved by {approver}."
        ),
        author=MERGER,
        trailers=trailers,
        resolver=union_log_lists,
    )
    return result.sha, result.fast_forward


def _conflict(request: store.MergeRequest, exc: MergeConflict) -> MergeConflict:
    paths = list(exc.details.get("paths", []))
    request.preview = {**request.preview, "conflicts": paths}
    return MergeConflict(
        f"merge request #{request.id} conflicts with main in {', '.join(paths)}; "
        f"nothing was merged and it stays pending. To resolve them, call sandbox.sync "
        f"on {request.branch!r} (it brings main in and lists each conflict), then open "
        "a new merge request",
        paths=paths,
        merge_request_id=request.id,
    )


def _publish(call: Call, approved: MergeRequestView, repository_id: int) -> MergeRequestView:
    """Publish an approved merge upstream (push main, or open a pull request) when configured.

    The local merge stands whatever happens upstream; a failed publish is recorded, not raised.
    """
    try:
        result = publish_approved(
            call.services, repository_id, approved.branch, title=approved.title
        )
    except UpstreamUnavailable as exc:
        published: dict[str, Any] = {
            "mode": "pull_request",
            "state": "pending",
            "error": exc.message,
        }
    else:
        if result.mode == "none":
            return approved
        published = asdict(result)
    session = call.session
    request = _find(call, session, approved.id)
    request.preview = {**request.preview, "published": published}
    return view(request)


def reject(call: Call, merge_request_id: int, note: str | None) -> MergeRequestView:
    session = call.session
    request = _find(call, session, merge_request_id)
    _require_pending(request, "rejected")
    request.status = "rejected"
    approvals.record_decision(call, request)
    request.decision_note = note
    return view(request)
