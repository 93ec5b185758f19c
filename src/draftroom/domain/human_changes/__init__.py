"""What people changed on ``main`` outside draftroom, told to the sandboxes working beside it.

``human_commits`` tells a person's commits from draftroom's own (trailers, audit rows);
``record_human_changes`` writes one ``human_change`` memory per such commit into every
active sandbox of the repository (audited commits, deduplicated by commit id), after any
fetch of ``main``; ``main_overlap`` lists the files both ``main`` and a sandbox changed.
Never moves ``main`` itself, and never tells a sandbox about a commit its branch holds.
"""

from draftroom.domain.human_changes.detect import human_commits, made_by_draftroom
from draftroom.domain.human_changes.overlap import MAX_OVERLAP, main_overlap
from draftroom.domain.human_changes.record import (
    MAX_FILES,
    change_text,
    record_human_changes,
)

__all__ = [
    "MAX_FILES",
    "MAX_OVERLAP",
    "change_text",
    "human_commits",
    "made_by_draftroom",
    "main_overlap",
    "record_human_changes",
]
