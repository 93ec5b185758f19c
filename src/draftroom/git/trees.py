"""Building and comparing git trees without a working tree or index.

``build_tree`` makes only the trees on the way to a changed path and reuses every other
subtree by oid, which is what keeps a commit cheap in a large repository; it makes them in
memory (``packs.NewObjects``), so a commit writes its objects as one pack. Must never read
or write the filesystem outside the object database.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Union

import pygit2
from pygit2.enums import FileMode, ObjectType

from draftroom.errors import InvalidInput, InvalidPath, PathNotFound
from draftroom.git.objects import Change
from draftroom.git.packs import NewObjects, tree_entries

_Node = dict[str, Union["_Node", Change]]
_FILE_MODES = (FileMode.BLOB, FileMode.BLOB_EXECUTABLE, FileMode.LINK)


def empty_tree(repo: pygit2.Repository) -> pygit2.Tree:
    tree = repo[repo.TreeBuilder().write()]
    assert isinstance(tree, pygit2.Tree)
    return tree


def entry(tree: pygit2.Tree, path: str) -> pygit2.Object | None:
    """The tree entry at ``path`` (nested paths allowed), or None."""
    try:
        return tree[path]
    except KeyError:
        return None


def is_tree(obj: pygit2.Object | None) -> bool:
    return obj is not None and obj.type == ObjectType.TREE


def apply_changes(
    repo: pygit2.Repository,
    tree: pygit2.Tree | None,
    changes: Sequence[Change],
    *,
    fsync: bool = False,
) -> pygit2.Oid:
    """Write the tree that results from applying ``changes`` to ``tree`` (one pack); its oid."""
    new = NewObjects()
    oid = build_tree(repo, tree, changes, new)
    new.write(Path(repo.path), fsync=fsync)
    return oid


def build_tree(
    repo: pygit2.Repository, tree: pygit2.Tree | None, changes: Sequence[Change], new: NewObjects
) -> pygit2.Oid:
    """The tree that results from applying ``changes`` to ``tree``, made in ``new`` (not
    written: the caller writes it, with its commit, as one pack).

    Directories left empty by deletes are pruned, as git cannot store them.
    """
    root: _Node = {}
    for change in changes:
        *dirs, leaf = change.path.split("/")
        node = root
        for depth, part in enumerate(dirs):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                prefix = "/".join(dirs[: depth + 1])
                raise InvalidPath(
                    f"{prefix!r} is changed as a file and used as a directory of "
                    f"{change.path!r} in the same change set; split it into two commits",
                    path=change.path,
                )
            node = child
        if leaf in node:
            if isinstance(node[leaf], dict):
                raise InvalidPath(
                    f"{change.path!r} is changed as a file and used as a directory in the "
                    "same change set; split it into two commits",
                    path=change.path,
                )
            raise InvalidInput(
                f"path {change.path!r} appears twice in one change set; merge the changes",
                path=change.path,
            )
        node[leaf] = change
    oid = _apply(repo, new, tree.id if tree is not None else None, root, "")
    return oid if oid is not None else new.tree({})


def _apply(
    repo: pygit2.Repository, new: NewObjects, tree: pygit2.Oid | None, node: _Node, prefix: str
) -> pygit2.Oid | None:
    entries = tree_entries(repo, tree)
    for name, item in node.items():
        path = prefix + name
        key = name.encode()
        existing = entries.get(key)
        if isinstance(item, dict):
            if existing is not None and existing[0] != FileMode.TREE:
                raise InvalidPath(
                    f"cannot write under {path!r}: it is a file; delete it first",
                    path=path,
                )
            subtree = pygit2.Oid(raw=existing[1]) if existing is not None else None
            oid = _apply(repo, new, subtree, item, path + "/")
            if oid is not None:
                entries[key] = (FileMode.TREE, oid.raw)
            elif existing is not None:
                del entries[key]
        elif item.delete:
            if existing is None:
                raise PathNotFound(
                    f"cannot delete {path!r}: no such file; list the tree to see what exists",
                    path=path,
                )
            del entries[key]
        else:
            entries[key] = _file_entry(new, path, existing, item)
    if not entries:
        return None
    return new.tree(entries)


def _file_entry(
    new: NewObjects, path: str, existing: tuple[int, bytes] | None, change: Change
) -> tuple[int, bytes]:
    """The ``(filemode, raw id)`` entry ``change`` leaves at ``path``."""
    if existing is not None and existing[0] == FileMode.TREE:
        raise InvalidPath(
            f"cannot write file {path!r}: it is a directory; choose another path",
            path=path,
        )
    old_mode = existing[0] if existing is not None else None
    if change.executable is None:
        mode = old_mode if old_mode in _FILE_MODES else FileMode.BLOB
        if mode == FileMode.LINK and change.data is not None:
            # New content replaces a symlink with a regular file: content is never a link
            # target, so no caller can retarget a link (outside the tree or anywhere).
            mode = FileMode.BLOB
    else:
        mode = FileMode.BLOB_EXECUTABLE if change.executable else FileMode.BLOB
    if change.data is not None:
        return int(mode), new.blob(bytes(change.data)).raw
    if existing is None:
        raise PathNotFound(
            f"cannot change the mode of {path!r}: no such file; pass data to create it",
            path=path,
        )
    return int(mode), existing[1]


def changed_paths(old: pygit2.Tree | None, new: pygit2.Tree | None, prefix: str = "") -> list[str]:
    """Paths of files (not directories) that differ between two trees, sorted.

    Subtrees with equal oids are skipped without being read.
    """
    out: list[str] = []
    olds = {e.name: e for e in old} if old is not None else {}
    news = {e.name: e for e in new} if new is not None else {}
    for name in olds.keys() | news.keys():
        before, after = olds.get(name), news.get(name)
        if (
            before is not None
            and after is not None
            and before.id == after.id
            and before.filemode == after.filemode
        ):
            continue
        path = prefix + str(name)
        old_tree = before if isinstance(before, pygit2.Tree) else None
        new_tree = after if isinstance(after, pygit2.Tree) else None
        if old_tree is not None or new_tree is not None:
            out.extend(changed_paths(old_tree, new_tree, path + "/"))
        if (before is not None and old_tree is None) or (after is not None and new_tree is None):
            out.append(path)
    out.sort()
    return out
