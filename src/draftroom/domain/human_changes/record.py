"""Telling the sandboxes: one ``human_change`` memory per person's commit on ``main``.

Runs after every fetch of ``main`` (the scheduled one, a webhook's, ``repo sync``). The
upstream row keeps ``human_seen_sha``, the ``main`` head already told, so each commit is
told once whichever process fetched it; the entry id names the commit (``h-<sha>``), so a
second telling (two processes at once) adds nothing. Each sandbox gets one commit holding
its new entries, written and audited like any memory (tool ``system.human_change``), unless
its branch already holds the commit. A message the secret scanner flags is withheld.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.access import BASE_BRANCH, SandboxAccess
from draftroom.domain.audit import audit_key, record_event
from draftroom.domain.calls import Call, Principal, Services
from draftroom.domain.commits import LoggedCommit
from draftroom.domain.human_changes.detect import human_commits
from draftroom.domain.workspace import (
    HUMAN_CHANGE,
    HUMAN_CHANGE_TOOL,
    MemoryEntry,
    add_memory_entries,
    memory_entry,
)
from draftroom.errors import DraftroomError, RefNotFound, SecretDetected
from draftroom.git import LogEntry

log = logging.getLogger(__name__)
MAX_FILES = 20
MESSAGE_CHARS = 1000
TAGS = ("main", "human")
SYSTEM = "system"
"""Who the notes' commits name as key and token: draftroom itself, no caller."""
WITHHELD = "(message withheld: it looks like it holds a secret)"


@dataclass(frozen=True)
class _Repository:
    id: int
    org_id: int
    name: str
    path: str


def change_text(commit: LogEntry, *, withhold: bool = False) -> str:
    """Who changed ``main`` when, the message, and the first ``MAX_FILES`` files."""
    files = commit.files[:MAX_FILES]
    more = len(commit.files) - len(files)
    listed = ", ".join(files) if files else "none"
    if more:
        listed += f" (and {more} more)"
    message = " ".join(commit.message.split())
    if len(message) > MESSAGE_CHARS:
        message = message[: MESSAGE_CHARS - 1] + "…"
    who = f"{commit.author.name} <{commit.author.email}>"
    when = commit.time.isoformat()
    return (
        f"{who} changed main at {when} in {commit.sha[:12]}: "
        f"{WITHHELD if withhold else message} — files: {listed}"
    )


def _entries(commits: Sequence[LogEntry], withhold: bool) -> list[MemoryEntry]:
    at = store.utc_now().replace(microsecond=0)
    return [
        memory_entry(f"h-{c.sha}", change_text(c, withhold=withhold), HUMAN_CHANGE, TAGS, at)
        for c in commits
    ]


def record_human_changes(services: Services, repository_id: int) -> int:
    """Tell every active sandbox what people committed to ``main`` since the last telling;
    how many entries were written."""
    with services.database.session() as session:
        found = _news(services, session, repository_id)
    if found is None:
        return 0
    target, seen, main, commits, sandboxes = found
    written = 0
    for sandbox_id, branch in sandboxes if commits else []:
        written += _tell(services, target, sandbox_id, branch, commits)
    with services.database.session() as session:
        store.mark_human_seen(session, repository_id, main, expected=seen)
    return written


def _news(
    services: Services, session: Session, repository_id: int
) -> tuple[_Repository, str, str, list[LogEntry], list[tuple[int, str]]] | None:
    """What to tell: the repository, the heads told and now, the commits, the sandboxes."""
    upstream = store.get_upstream(session, repository_id)
    if upstream is None:
        return None
    record = upstream.repository
    repo = services.git(record.path)
    try:
        main = repo.head(BASE_BRANCH)
    except RefNotFound:
        return None
    seen = upstream.human_seen_sha
    if main == seen:
        return None
    if seen is None or not repo.has_commit(seen):
        # Nothing told yet (a repository from before this feature): start from here.
        store.mark_human_seen(session, repository_id, main, expected=seen)
        return None
    commits = human_commits(session, repo, seen, main)
    active = store.list_sandboxes(session, repository_id, status="active")
    target = _Repository(record.id, record.org_id, record.name, record.path)
    return target, seen, main, commits, [(s.id, s.branch) for s in active]


def _tell(
    services: Services,
    target: _Repository,
    sandbox_id: int,
    branch: str,
    commits: Sequence[LogEntry],
) -> int:
    """Write the commits ``branch`` does not hold as its memories; how many it got."""
    repo = services.git(target.path)
    try:
        head = repo.head(branch)
    except RefNotFound:
        return 0
    news = [c for c in commits if not repo.is_ancestor(c.sha, head)]
    if not news:
        return 0
    access = SandboxAccess(target.name, repo, branch, sandbox_id, SYSTEM, has_upstream=True)
    principal = Principal(api_key_id=SYSTEM, org_id=target.org_id, role=SYSTEM)
    call = Call(services, principal, uuid.uuid4().hex, HUMAN_CHANGE_TOOL, transport=SYSTEM)
    call.audit.repo, call.audit.branch = target.name, branch
    call.audit.detail["commits"] = [c.sha for c in news]
    started = time.monotonic()
    try:
        logged = _write(call, access, news)
    except DraftroomError as exc:
        log.warning("could not tell %s/%s about main: %s", target.name, branch, exc.message)
        failure = exc
        call.end(lambda session: _audit(session, call, started, failure), failed=True)
        return 0
    except BaseException:
        call.end(lambda session: None, failed=True)  # the session closes; the caller logs
        raise
    if logged is None:  # another process told it first
        call.end(lambda session: None, failed=False)
        return 0
    call.end(lambda session: _audit(session, call, started, None), failed=False)
    return len(news)


def _write(call: Call, access: SandboxAccess, news: Sequence[LogEntry]) -> LoggedCommit | None:
    count = f"{len(news)} change{'s' if len(news) > 1 else ''}"
    message = f"Remember {count} people made on main"
    try:
        return add_memory_entries(call, access, _entries(news, False), message)
    except SecretDetected:
        return add_memory_entries(call, access, _entries(news, True), message)


def _audit(session: Session, call: Call, started: float, failure: DraftroomError | None) -> object:
    return record_event(
        session,
        audit_key(call.services),
        request_id=call.request_id,
        tool=call.tool,
        outcome="ok" if failure is None else "error",
        duration_ms=(time.monotonic() - started) * 1000,
        repo=call.audit.repo,
        branch=call.audit.branch,
        error_code=None if failure is None else failure.code,
        commit_sha=call.audit.commit_sha,
        detail=call.audit.detail,
        bytes_written=call.audit.bytes_written,
        org_id=call.principal.org_id,
    )
