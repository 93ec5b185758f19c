"""Diffs between two commits' trees: per-file status, line counts and capped patch text.

Must never dump binary content, and never let patch text grow past the caller's cap.
"""

from __future__ import annotations

from collections.abc import Sequence

import pygit2
from pygit2.enums import DeltaStatus

from draftroom.git.objects import Diff, DiffFile, FileStatus
from draftroom.git.paths import is_within

_STATUS: dict[int, FileStatus] = {
    DeltaStatus.ADDED: "added",
    DeltaStatus.COPIED: "added",
    DeltaStatus.DELETED: "deleted",
    DeltaStatus.RENAMED: "renamed",
}


def diff_trees(
    old: pygit2.Tree,
    new: pygit2.Tree,
    *,
    max_patch_bytes: int = 48_000,
    paths: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
) -> Diff:
    """Diff ``old`` → ``new`` with rename detection; patches stop once the cap is exceeded.

    Files within ``exclude`` are left out before any patch counts against the cap.
    """
    changes = old.diff_to_tree(new)
    changes.find_similar()
    files: list[DiffFile] = []
    used = 0
    truncated = False
    for patch in changes:
        if patch is None:
            continue
        delta = patch.delta
        path, old_path = delta.new_file.path, delta.old_file.path
        if paths is not None and not any(
            is_within(path, p) or is_within(old_path, p) for p in paths
        ):
            continue
        if any(is_within(path, p) and is_within(old_path, p) for p in exclude):
            continue
        _, additions, deletions = patch.line_stats
        binary = bool(delta.is_binary)
        text = "" if binary or truncated else patch.text or ""
        if text:
            size = len(text.encode("utf-8"))
            if used + size > max_patch_bytes:
                truncated, text = True, ""
            else:
                used += size
        status = _STATUS.get(delta.status, "modified")
        files.append(
            DiffFile(
                path=path,
                status=status,
                additions=additions,
                deletions=deletions,
                binary=binary,
                patch=text,
                old_path=old_path if status == "renamed" else None,
            )
        )
    return Diff(files=files, truncated=truncated)
