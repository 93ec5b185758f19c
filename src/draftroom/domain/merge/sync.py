"""``sandbox.sync``: bring ``main`` into a sandbox as one audited, undoable commit.

The commit's first parent is the sandbox's head and its second ``main``'s, so undo
(``sandbox.undo``, ``git.rollback_commit``) takes it back like any other write, and a later
merge request of the sandbox has nothing left to conflict with. A conflict writes nothing:
it is raised with each side's content, and the caller sends one resolution per conflicting
path. ``.logs/`` never conflicts: its lists merge as a union, else the sandbox's version is
kept. Must never write ``main``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from draftroom.domain.access import BASE_BRANCH, SandboxAccess
from draftroom.domain.calls import Call
from draftroom.domain.commits import (
    LOGS_DIR,
    LoggedCommit,
    author,
    changed_outside_logs,
    changelog_change,
    check_commit,
    trailers,
)
from draftroom.domain.merge.conflicts import fit_conflicts
from draftroom.domain.merge.requests import union_log_lists
from draftroom.domain.upstream import enqueue_commit
from draftroom.errors import EmptyChangeSet, InvalidInput, MergeConflict
from draftroom.git import Change, ConflictSides, Resolver, validate_path

SYNC_TOOL = "sandbox.sync"
MAIN_TRAILER = "Draftroom-Syncs-Main"
"""Names the commit of ``main`` a sync brought in."""


@dataclass(frozen=True)
class Synced:
    logged: LoggedCommit
    main: str
    fast_forward: bool
    """The sandbox had no commits of its own: its files are now exactly ``main``'s."""
    resolved: list[str]


def _in_logs(path: str) -> bool:
    return path == LOGS_DIR or path.startswith(LOGS_DIR + "/")


def resolver(resolutions: Mapping[str, bytes]) -> Resolver:
    """The caller's resolutions first; ``.logs/`` as a union, else the sandbox's side."""

    def resolve(
        path: str, base: bytes | None, ours: bytes | None, theirs: bytes | None
    ) -> bytes | None:
        if path in resolutions:
            return resolutions[path]
        if not _in_logs(path):
            return None
        merged = union_log_lists(path, base, ours, theirs)
        if merged is not None:
            return merged
        return ours if ours is not None else theirs

    return resolve


def conflicts_with_main(access: SandboxAccess, main: str) -> list[ConflictSides]:
    """The paths a sync would ask the caller to resolve (never ``.logs/``)."""
    found = access.repo.conflict_sides(main, access.branch)
    return [conflict for conflict in found if not _in_logs(conflict.path)]


def refuse_conflicts(
    access: SandboxAccess, missing: list[ConflictSides], budget: int, *, asked: bool
) -> MergeConflict:
    paths = [conflict.path for conflict in missing]
    what = "has no resolution for" if asked else "conflicts with main in"
    return MergeConflict(
        f"sandbox.sync of {access.branch!r} {what} {', '.join(paths)}; nothing was written. "
        "Call sandbox.sync again with resolutions: [{path, content}] for every conflicting path",
        paths=paths,
        **fit_conflicts(missing, budget),
    )


def _check_resolutions(
    access: SandboxAccess,
    conflicts: list[ConflictSides],
    resolutions: Mapping[str, bytes],
    budget: int,
) -> None:
    conflicting = {conflict.path for conflict in conflicts}
    extra = sorted(set(resolutions) - conflicting)
    if extra:
        raise InvalidInput(
            f"resolutions name paths that do not conflict with main: {', '.join(extra)}; "
            "send resolutions only for the paths sandbox.sync listed",
            paths=extra,
        )
    missing = [conflict for conflict in conflicts if conflict.path not in resolutions]
    if missing:
        raise refuse_conflicts(access, missing, budget, asked=bool(resolutions))


def sync(
    call: Call, access: SandboxAccess, resolutions: Mapping[str, bytes], budget: int
) -> Synced:
    """Merge ``main`` into the sandbox as one commit; ``budget`` bounds a conflict answer."""
    call.report(0, 3, "checking the sandbox against main")
    resolutions = {validate_path(path): data for path, data in resolutions.items()}
    check_commit(call, access, [Change(path, data) for path, data in resolutions.items()])
    head = access.head()
    main = access.repo.head(BASE_BRANCH)
    if access.repo.is_ancestor(main, head):
        raise EmptyChangeSet(
            f"{access.branch!r} already has every commit of main ({main[:12]}); nothing to sync",
            head=head,
        )
    _check_resolutions(access, conflicts_with_main(access, main), resolutions, budget)
    call.report(1, 3, f"merging main ({main[:12]})")
    ahead, _ = access.repo.ahead_behind(head, main)
    base = access.repo.merge_preview(main, access.branch).base
    brought = changed_outside_logs(access.repo, base or head, main)
    files = sorted(set(brought) | set(resolutions))
    message = f"Sync with main ({main[:12]})"
    changelog, entry = changelog_change(call, message, files)
    try:
        result = access.repo.commit_merge(
            main,
            access.branch,
            message=message,
            author=author(call, access),
            trailers={**trailers(call, access), MAIN_TRAILER: main},
            expected_target_head=head,
            resolver=resolver(resolutions),
            extra_changes=[changelog],
        )
    except MergeConflict as exc:  # main moved in between and conflicts anew
        missing = [c for c in conflicts_with_main(access, main) if c.path in exc.details["paths"]]
        raise refuse_conflicts(access, missing, budget, asked=bool(resolutions)) from None
    call.audit.commit_sha = result.sha
    enqueue_commit(call, result.branch, result.sha, has_upstream=access.has_upstream)
    logged = LoggedCommit(result.sha, result.branch, files, entry)
    call.report(3, 3, f"synced: {result.sha[:12]}")
    return Synced(logged, main, fast_forward=ahead == 0, resolved=sorted(resolutions))
