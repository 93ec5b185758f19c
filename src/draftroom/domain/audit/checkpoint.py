"""Checkpoints of the audit chain in git: the chain's head written, every few minutes, as a
commit on ``refs/draftroom/audit`` of each of the org's repositories.

Someone who rewrites the database and recomputes every hash after it still cannot move the
checkpoints: they would have to rewrite a ref in every repository too (and each clone,
bundle and mirror of it). ``verify`` checks that each checkpointed row still has its hash.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.calls import Services
from draftroom.errors import DraftroomError
from draftroom.git import Repository

CHECKPOINT_REF = "refs/draftroom/audit"
CHECKPOINT_FILE = "audit-head.json"
MAX_MARKS = 10_000
"""How many checkpoints back ``verify`` reads per repository."""


@dataclass(frozen=True)
class Mark:
    commit: str
    last_id: int
    last_hash: str
    count: int


def checkpoint(services: Services) -> int:
    """Write each org's chain head into its repositories where it moved; how many written."""
    written = 0
    with services.database.session() as session:
        heads = [h for h in store.chain_heads(session) if h.org_key != store.NO_ORG]
        targets = [
            (head, [r.path for r in store.list_repositories(session, head.org_key)])
            for head in heads
            if head.last_id is not None
        ]
    for head, paths in targets:
        body = {
            "org_id": head.org_key,
            "last_id": head.last_id,
            "last_hash": head.last_hash,
            "count": head.count,
        }
        for path in paths:
            repo = services.git(path)
            latest = _latest(repo)
            if latest is not None and latest.last_id == head.last_id:
                continue
            content = json.dumps(body, sort_keys=True, indent=1).encode() + b"\n"
            message = f"audit chain of org {head.org_key}: row {head.last_id}"
            repo.append_record(CHECKPOINT_REF, CHECKPOINT_FILE, content, message)
            written += 1
    return written


def _mark(repo: Repository, commit: str) -> Mark | None:
    try:
        body = json.loads(repo.read_file(commit, CHECKPOINT_FILE).data)
        return Mark(commit, int(body["last_id"]), str(body["last_hash"]), int(body["count"]))
    except (DraftroomError, ValueError, KeyError, TypeError):
        return None


def _latest(repo: Repository) -> Mark | None:
    head = repo.read_ref(CHECKPOINT_REF)
    return _mark(repo, head) if head else None


def checkpoints(services: Services, session: Session, org_key: int) -> list[Mark]:
    """Every checkpoint (newest first, up to ``MAX_MARKS`` per repository) of an org."""
    if org_key == store.NO_ORG:
        return []
    marks: dict[tuple[int, str], Mark] = {}
    for record in store.list_repositories(session, org_key):
        repo = services.git(record.path)
        if repo.read_ref(CHECKPOINT_REF) is None:
            continue
        cursor: str | None = None
        while len(marks) < MAX_MARKS:
            page = repo.log(CHECKPOINT_REF, cursor=cursor, limit=200)
            for entry in page.commits:
                mark = _mark(repo, entry.sha)
                if mark is not None:
                    marks.setdefault((mark.last_id, mark.last_hash), mark)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    return list(marks.values())
