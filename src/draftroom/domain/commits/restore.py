"""Undo anything: restore the branch to a commit, and the operation log that undo walks.

An operation is one tool call that changed the branch. It is derived from git, never stored:
each draftroom write is exactly one commit on the sandbox branch, written by the sandbox
(``signatures.written_by_sandbox``) and carrying the ``Draftroom-Tool`` and
``Draftroom-Request-Id`` trailers. Undo is a new commit (``restore_and_log``), so an undo is itself an operation that can be undone; this
module must never move a branch backwards or drop a commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from draftroom.domain.access import BASE_BRANCH, SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.commits.changes import (
    LOGS_DIR,
    RESTORES_TRAILER,
    LoggedCommit,
    restore_and_log,
)
from draftroom.domain.commits.signatures import (
    REQUEST_TRAILER,
    TOOL_TRAILER,
    written_by_sandbox,
)
from draftroom.errors import InvalidInput
from draftroom.git import LogEntry, Repository

REVERTS_TRAILER = "Reverts"
MAX_UNDO_STEPS = 100
_WALK_PAGE = 200


@dataclass(frozen=True)
class Operation:
    sha: str
    parent: str | None
    tool: str
    request_id: str | None
    message: str
    time: datetime
    files: list[str]
    undone_by: str | None
    """The newest rollback, restore or undo that took this operation's changes back."""


@dataclass(frozen=True)
class Undone:
    logged: LoggedCommit
    operations: list[str]
    restored_to: str


def walk(repo: Repository, head: str, *, first_parent: bool = False) -> Iterator[LogEntry]:
    """Commits reachable from ``head``, newest first, read a page at a time."""
    cursor: str | None = None
    while True:
        page = repo.log(head, cursor=cursor, limit=_WALK_PAGE, first_parent=first_parent)
        yield from page.commits
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _is_operation(entry: LogEntry, access: SandboxAccess) -> bool:
    return TOOL_TRAILER in entry.trailers and written_by_sandbox(entry, access.branch)


def _own_chain(access: SandboxAccess, head: str) -> Iterator[LogEntry]:
    """The sandbox's own commits from ``head`` down, stopping at the first one it did not make.

    Draftroom writes add one commit whose first parent is the previous head (a
    ``sandbox.sync`` adds ``main`` as second parent), so the first-parent chain is the
    sandbox's own line; a commit of ``main`` or of another sandbox ends it.
    """
    expected = head
    for entry in walk(access.repo, head, first_parent=True):
        if entry.sha != expected or not _is_operation(entry, access):
            return
        yield entry
        if not entry.parents:
            return
        expected = entry.parents[0]


def operations(access: SandboxAccess, head: str | None = None) -> Iterator[Operation]:
    """The branch's operations, newest first, each with what undid it (if anything).

    What undid an operation is always newer than it, so this never reads past the
    operations a caller actually consumes.
    """
    head = head or access.head()
    reverted_by: dict[str, tuple[int, str]] = {}
    # (position, undoing commit, restored commit, whether restored is an ancestor)
    restores: list[tuple[int, str, str, bool]] = []
    for position, entry in enumerate(_own_chain(access, head)):
        restores = [r for r in restores if r[2] != entry.sha]
        candidates = [(p, sha) for p, sha, _, _ in restores[:1]]
        if entry.sha in reverted_by:
            candidates.append(reverted_by[entry.sha])
        yield Operation(
            sha=entry.sha,
            parent=entry.parents[0] if entry.parents else None,
            tool=entry.trailers[TOOL_TRAILER],
            request_id=entry.trailers.get(REQUEST_TRAILER),
            message=entry.summary,
            time=entry.time,
            files=[f for f in entry.files if not f.startswith(LOGS_DIR + "/")],
            undone_by=min(candidates)[1] if candidates else None,
        )
        reverted = entry.trailers.get(REVERTS_TRAILER)
        if reverted and reverted not in reverted_by:
            reverted_by[reverted] = (position, entry.sha)
        restored = entry.trailers.get(RESTORES_TRAILER)
        if restored:
            ancestor = access.repo.is_ancestor(restored, entry.sha)
            # A restore to a commit outside the branch (a newer main) replaced everything.
            restores.append((position, entry.sha, restored if ancestor else "", ancestor))


def revert_links(repo: Repository, head: str, reverted: set[str]) -> dict[str, str]:
    """For each sha in ``reverted``, the newest commit from ``head`` whose ``Reverts:`` names it."""
    found: dict[str, str] = {}
    if not reverted:
        return found
    for entry in walk(repo, head):
        target = entry.trailers.get(REVERTS_TRAILER)
        if target in reverted and target not in found:
            found[target] = entry.sha
            if len(found) == len(reverted):
                break
    return found


def restore(call: Call, access: SandboxAccess, ref: str) -> tuple[LoggedCommit, str]:
    """Bring back the files of ``ref`` (``main`` or a commit of the branch) as a new commit.

    Returns the commit and the full sha of the commit restored to.
    """
    target = access.readable_ref(ref)
    named = f"main ({target[:12]})" if ref == BASE_BRANCH else target[:12]
    message = f"Restore the files of {named}"
    return restore_and_log(call, access, target, message), target


def undo(call: Call, access: SandboxAccess, steps: int) -> Undone:
    """Undo the last ``steps`` operations in one commit; undoing an undo re-applies."""
    if not 1 <= steps <= MAX_UNDO_STEPS:
        raise InvalidInput(f"steps must be between 1 and {MAX_UNDO_STEPS}, got {steps}")
    head = access.head()
    undone: list[Operation] = []
    for operation in operations(access, head):
        undone.append(operation)
        if len(undone) == steps:
            break
    if len(undone) < steps:
        raise InvalidInput(
            f"only {len(undone)} operation(s) to undo on {access.branch!r}, asked for {steps}; "
            "see sandbox.operations",
            available=len(undone),
        )
    base = undone[-1].parent
    if base is None:
        raise InvalidInput("the oldest of these operations is the root commit; undo fewer")
    lines = [f"- {op.sha[:12]} {op.tool}: {op.message}"[:200] for op in undone]
    noun = "operation" if steps == 1 else "operations"
    message = f"Undo {steps} {noun}\n\n" + "\n".join(lines)
    logged = restore_and_log(call, access, base, message, expected_head=head)
    return Undone(logged=logged, operations=[op.sha for op in undone], restored_to=base)
