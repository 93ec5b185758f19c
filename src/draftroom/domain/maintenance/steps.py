"""The steps of one maintenance run, each saying what it did (``Step``).

A step never stops at one broken repository or sandbox: it notes the failure and goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from draftroom import store
from draftroom.domain.calls import Services
from draftroom.domain.merge import archive_sandbox
from draftroom.errors import DraftroomError
from draftroom.git import remove_stale_locks, repack_and_prune
from draftroom.store import utc_now


@dataclass
class Step:
    """What one step did: a line for people, counts for the audit row, failures if any."""

    name: str
    summary: str = ""
    counts: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "summary": self.summary,
            "counts": self.counts,
            "failures": self.failures,
        }


def _repositories(services: Services) -> list[tuple[str, Path]]:
    with services.database.session() as session:
        return [(name, Path(path)) for name, path in store.maintenance.repository_paths(session)]


def repack(services: Services) -> Step:
    """Repack every repository; prune unreachable objects older than two weeks."""
    step = Step("repack")
    loose = packs = before = after = 0
    repositories = _repositories(services)
    for name, gitdir in repositories:
        try:
            done = repack_and_prune(gitdir)
        except DraftroomError as exc:
            step.failures.append(f"{name}: {exc.message}")
            continue
        loose += done.before.loose - done.after.loose
        packs += done.before.packs - done.after.packs
        before, after = before + done.before.bytes, after + done.after.bytes
    repos = len(repositories)
    step.counts = {
        "repositories": repos,
        "loose_objects_removed": loose,
        "packs_merged": packs,
        "bytes_before": before,
        "bytes_after": after,
    }
    step.summary = (
        f"{repos} repositories repacked: {loose} loose objects fewer, "
        f"{packs} packs fewer, {before} -> {after} bytes"
    )
    return step


def clear_stale_locks(services: Services) -> Step:
    """Remove git lock files a crashed process left (never a draftroom flock file)."""
    step = Step("stale_locks")
    removed: list[str] = []
    for name, gitdir in _repositories(services):
        try:
            found = remove_stale_locks(gitdir, locks=services.branch_locks)
            removed += [f"{name}: {path}" for path in found]
        except OSError as exc:
            step.failures.append(f"{name}: {exc}")
    step.counts = {"removed": removed}
    step.summary = f"{len(removed)} stale lock files removed"
    return step


def purge_credentials(services: Services) -> Step:
    """Delete expired reuse tokens (past their renewal grace), sessions and sign-in tokens."""
    now = utc_now()
    cutoff = now - timedelta(days=services.settings.token_grace_days)
    with services.database.session() as session:
        counts = store.maintenance.purge_expired_credentials(session, now, cutoff)
    described = ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in counts.items())
    return Step("purge_credentials", f"deleted {described}", counts)


def archive_idle(services: Services) -> Step:
    """Archive active sandboxes unused for ``sandbox_idle_days``: their people keep them
    under ``refs/draftroom/archive/`` and ``sandbox.restore`` brings them back."""
    step = Step("archive_idle")
    days = services.settings.sandbox_idle_days
    cutoff = utc_now() - timedelta(days=days)
    with services.database.session() as session:
        ids = [sandbox.id for sandbox in store.maintenance.idle_sandboxes(session, cutoff)]
    archived = []
    for sandbox_id in ids:
        with services.database.session() as session:
            sandbox = store.get_sandbox_by_id(session, sandbox_id)
            if sandbox is None or sandbox.status != "active":
                continue  # archived or merged since the list was read
            if (sandbox.last_active_at or sandbox.created_at) >= cutoff:
                continue  # used since the list was read
            where = f"{sandbox.repository.name}/{sandbox.branch}"
            try:
                archive_sandbox(services, sandbox)
            except DraftroomError as exc:
                step.failures.append(f"sandbox #{sandbox_id} ({where}): {exc.message}")
                continue
            archived.append({"sandbox_id": sandbox_id, "sandbox": where})
    step.counts = {"archived": archived}
    step.summary = f"{len(archived)} sandboxes idle over {days} days archived"
    return step


STEPS = (repack, clear_stale_locks, purge_credentials, archive_idle)
"""In order: git first (the slow part), then the database."""
