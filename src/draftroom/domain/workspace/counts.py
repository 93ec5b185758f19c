"""Workspace counts for ``system.metrics``: tasks by status, memory and reasoning entries."""

from __future__ import annotations

from dataclasses import dataclass, field

from draftroom.domain.workspace.memory import memory_entries
from draftroom.domain.workspace.reasoning import reasoning_entries
from draftroom.domain.workspace.tasks import STATUSES, tasks_of
from draftroom.errors import WorkspaceFileInvalid
from draftroom.git import Repository


@dataclass
class WorkspaceCounts:
    tasks_by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    memory_entries: int = 0
    reasoning_entries: int = 0
    invalid_files: list[str] = field(default_factory=list)


def workspace_counts(repo: Repository, ref: str) -> WorkspaceCounts:
    """Counts at ``ref``; a file that does not parse is listed in ``invalid_files``, not counted."""
    counts = WorkspaceCounts()
    try:
        counts.memory_entries = len(memory_entries(repo, ref))
    except WorkspaceFileInvalid as exc:
        counts.invalid_files.append(str(exc.details.get("path")))
    try:
        for task in tasks_of(repo, ref):
            counts.tasks_by_status[task.status] += 1
    except WorkspaceFileInvalid as exc:
        counts.invalid_files.append(str(exc.details.get("path")))
    try:
        counts.reasoning_entries = len(reasoning_entries(repo, ref))
    except WorkspaceFileInvalid as exc:
        counts.invalid_files.append(str(exc.details.get("path")))
    return counts
