"""Approval by squash: the sandbox's changes land on ``main`` as one commit, then the
sandbox is archived with its history.

The commit is ``main``'s tree plus what the sandbox changed since it last met ``main``; its
message is the request's title and description, and its trailers name the sandbox, the
request and the approver. The sandbox's ``.logs/`` and workspace files never reach ``main``:
``main`` keeps its own, plus one record under ``.logs/merges/``. Must never write the
sandbox's commits themselves into ``main``.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime

import yaml

from draftroom import store
from draftroom.domain.access import BASE_BRANCH
from draftroom.domain.commits import LOGS_DIR, SANDBOX_TRAILER
from draftroom.domain.workspace import WORKSPACE_FILES
from draftroom.errors import RefNotFound
from draftroom.git import Change, CommitResult, Identity, Repository

MERGES_DIR = f"{LOGS_DIR}/merges"
MAIN_ONLY = (LOGS_DIR, *WORKSPACE_FILES)
"""Top-level names ``main`` keeps as it has them, whatever the sandbox did to them."""
MERGER = Identity(name="draftroom (merge)", email="draftroom@localhost")


def _main_only(
    path: str, base: bytes | None, ours: bytes | None, theirs: bytes | None
) -> bytes | None:
    """Settle conflicts on ``MAIN_ONLY`` names (``main``'s side is put back afterwards)."""
    if path.split("/", 1)[0] not in MAIN_ONLY:
        return None
    return ours if ours is not None else (theirs or b"")


def _message(request: store.MergeRequest) -> str:
    description = (request.description or "").strip()
    return f"{request.title}\n\n{description}" if description else request.title


def _record(request: store.MergeRequest, approver: str) -> Change:
    fields = {
        "merge_request": request.id,
        "title": request.title,
        "branch": request.branch,
        "source_sha": request.source_sha,
        "approved_by": approver,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    data = yaml.safe_dump(fields, sort_keys=False).encode()
    return Change(f"{MERGES_DIR}/{request.id}.yaml", data)


def squash_into_main(
    repo: Repository, request: store.MergeRequest, approver: str, trailers: dict[str, str]
) -> CommitResult:
    """Write the one commit on ``main``; a conflict raises ``MergeConflict`` and writes nothing."""
    return repo.commit_merge(
        request.source_sha,
        BASE_BRANCH,
        message=_message(request),
        author=MERGER,
        trailers={**trailers, SANDBOX_TRAILER: request.branch},
        resolver=_main_only,
        squash=True,
        keep=MAIN_ONLY,
        extra_changes=[_record(request, approver)],
    )


def archive_merged(repo: Repository, sandbox: store.Sandbox) -> None:
    """Set a squash-merged sandbox aside: its branch under ``refs/draftroom/archive/``."""
    if sandbox.status == "archived":
        return
    with suppress(RefNotFound):  # a branch already gone: the record alone is archived
        repo.archive_branch(sandbox.branch)
    sandbox.status = "archived"
