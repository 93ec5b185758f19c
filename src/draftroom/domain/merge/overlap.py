"""Overlap before merge: which other open work of the repository changes the same files as
a merge request, and whether changes already approved onto ``main`` conflict with it.

Each side's files are what it changed since it last met ``main`` (its merge base), leaving
out ``.logs/`` and the workspace files (``MAIN_ONLY``), which every sandbox writes and a
squash never lands. Bounded: at most ``CHECKED`` other sandboxes (the most recently active)
and ``CHECKED`` pending requests. Reads only; must never write git or the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.access import BASE_BRANCH
from draftroom.domain.merge.squash import MAIN_ONLY
from draftroom.errors import NotFound
from draftroom.git import Repository

CHECKED = 100
SHOWN_PATHS = 20


def _landing(path: str) -> bool:
    return path.split("/", 1)[0] not in MAIN_ONLY


def changed_since_main(repo: Repository, ref: str) -> set[str]:
    """The files ``ref`` changed since its merge base with ``main`` (none when unreadable)."""
    try:
        base = repo.merge_base(ref, BASE_BRANCH)
        if base is None or base == repo.resolve(ref):
            return set()
        return {path for path in repo.changed_files(base, ref) if _landing(path)}
    except NotFound:  # a branch gone meanwhile: nothing to compare
        return set()


def _entry(branch: str, merge_request_id: int | None, paths: set[str]) -> dict[str, Any]:
    shown = sorted(paths)
    return {"branch": branch, "merge_request_id": merge_request_id, "paths": shown[:SHOWN_PATHS]}


def overlapping(
    session: Session, repo: Repository, repository_id: int, sandbox_id: int, source: str
) -> list[dict[str, Any]]:
    """Other pending requests (at the commit they ask to merge) and other active sandboxes
    without one (at their head) that change files ``source`` changes, with those paths."""
    ours = changed_since_main(repo, source)
    if not ours:
        return []
    found: list[dict[str, Any]] = []
    asked: set[int] = set()
    for request in store.pending_requests(
        session, repository_id, exclude_sandbox_id=sandbox_id, limit=CHECKED
    ):
        asked.add(request.sandbox_id)
        shared = ours & changed_since_main(repo, request.source_sha)
        if shared:
            found.append(_entry(request.branch, request.id, shared))
    for sandbox in store.recent_active_sandboxes(
        session, repository_id, exclude_id=sandbox_id, limit=CHECKED
    ):
        if sandbox.id in asked:
            continue
        shared = ours & changed_since_main(repo, sandbox.branch)
        if shared:
            found.append(_entry(sandbox.branch, None, shared))
    return found


def _landed_files(repo: Repository, request: store.MergeRequest) -> set[str]:
    """What a merged request brought to ``main``."""
    assert request.merge_sha is not None
    if request.preview.get("fast_forward") and request.preview.get("base"):
        return set(repo.changed_files(request.preview["base"], request.merge_sha))
    return set(repo.commit_files(request.merge_sha))


def conflict_warning(
    session: Session,
    repo: Repository,
    repository_id: int,
    since: datetime,
    preview: dict[str, Any],
) -> str | None:
    """Words for a caller whose request conflicts with ``main``: which approved requests,
    merged since the sandbox's base, conflict with it, and that ``sandbox.sync`` settles it."""
    conflicts = set(preview.get("conflicts") or [])
    if not conflicts:
        return None
    base = preview.get("base")
    named = []
    for merged in store.merged_requests_since(session, repository_id, since, limit=CHECKED):
        try:
            if not merged.merge_sha or (base and repo.is_ancestor(merged.merge_sha, base)):
                continue
            shared = conflicts & _landed_files(repo, merged)
        except NotFound:  # its commit is gone from this repository (main was replaced)
            continue
        if shared:
            named.append(f"#{merged.id} ({merged.branch}: {', '.join(sorted(shared))})")
    paths = ", ".join(sorted(conflicts))
    where = (
        f"approved merge request {', '.join(named)} changed them on main since this sandbox's base"
        if named
        else "main changed them since this sandbox's base"
    )
    return (
        f"conflicts with main in {paths}: {where}. Call sandbox.sync to bring main in and "
        "resolve each conflict, then ask for a merge again"
    )


def annotate(
    session: Session,
    repo: Repository,
    sandbox: store.Sandbox,
    preview: dict[str, Any],
) -> dict[str, Any]:
    """``preview`` with ``overlapping`` and ``warning`` (see the module docstring)."""
    source = preview["source_head"]
    return {
        **preview,
        "overlapping": overlapping(session, repo, sandbox.repository_id, sandbox.id, source),
        "warning": conflict_warning(
            session, repo, sandbox.repository_id, sandbox.created_at, preview
        ),
    }
