"""Refusing new paths that only differ from another path by case or Unicode normalisation.

On macOS and Windows checkouts ``README.md`` and ``readme.md`` (or ``é`` as one code point
and as ``e`` + combining accent) are one file: a tree holding both cannot be checked out
there, and one silently overwrites the other. Existing paths are never refused (a caller may
keep writing what the tree already has); only a change set that would *add* such a twin is.
Must never touch the filesystem: it compares tree entry names only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import pygit2

from draftroom.errors import InvalidPath
from draftroom.git.objects import Change


def collision_key(name: str) -> str:
    """The form under which case-insensitive, normalising filesystems compare names."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", name).casefold())


def check_collisions(tree: pygit2.Tree | None, changes: Sequence[Change]) -> None:
    """Raise ``InvalidPath`` naming both paths if a new path collides with another one."""
    deleted = {change.path for change in changes if change.delete}
    written = [change.path for change in changes if not change.delete]
    seen: dict[str, str] = {}  # collision key of a prefix -> the prefix as written
    for path in written:
        segments = path.split("/")
        for depth in range(1, len(segments) + 1):
            prefix = "/".join(segments[:depth])
            key = collision_key(prefix)
            other = seen.setdefault(key, prefix)
            if other != prefix:
                _refuse(prefix, other, "in the same change set")
        if tree is not None and path not in tree:  # an existing path adds nothing new
            _check_against_tree(tree, path, deleted)


def _check_against_tree(tree: pygit2.Tree, path: str, deleted: set[str]) -> None:
    """Walk ``path`` down ``tree``; at the first segment that is new, compare its siblings."""
    node: pygit2.Tree = tree
    segments = path.split("/")
    for depth, segment in enumerate(segments):
        parent = "/".join(segments[:depth])
        try:
            child = node[segment]
        except KeyError:
            key = collision_key(segment)
            for sibling in node:
                name = str(sibling.name)
                existing = f"{parent}/{name}" if parent else name
                if collision_key(name) == key and existing not in deleted:
                    new = f"{parent}/{segment}" if parent else segment
                    _refuse(new, existing, "in the branch")
            return
        if not isinstance(child, pygit2.Tree):
            return  # a file where a directory is asked for: apply_changes reports it
        node = child


def _refuse(new: str, existing: str, where: str) -> None:
    raise InvalidPath(
        f"path {new!r} differs from {existing!r} {where} only by case or Unicode "
        f"normalisation; on macOS and Windows they are one file. Use {existing!r} or "
        "another name",
        path=new,
        existing_path=existing,
    )
