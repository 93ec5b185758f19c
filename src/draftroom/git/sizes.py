"""Total size of the files in a tree, cached per tree oid.

A commit rewrites only the trees on the way to the paths it changes, so with every subtree's
total cached by oid the size of a new tree costs one visit per rewritten tree, not a walk of
the whole repository. Reads object headers only, never blob contents.
"""

from __future__ import annotations

import threading

import pygit2
from pygit2.enums import FileMode

MAX_CACHED_TREES = 200_000


class TreeSizes:
    """Sums of blob sizes under tree oids; safe to share between threads."""

    def __init__(self) -> None:
        self._sizes: dict[pygit2.Oid, int] = {}
        self._lock = threading.Lock()

    def size(self, repo: pygit2.Repository, tree: pygit2.Tree) -> int:
        """Bytes of every blob reachable from ``tree`` (submodules count as 0)."""
        cached = self._get(tree.id)
        if cached is not None:
            return cached
        # Iterative post-order walk: a crafted, deeply nested tree cannot exhaust the stack.
        stack: list[tuple[pygit2.Tree, bool]] = [(tree, False)]
        found: dict[pygit2.Oid, int] = {}
        while stack:
            node, children_done = stack.pop()
            if node.id in found or self._get(node.id) is not None:
                continue
            subtrees = [e for e in node if isinstance(e, pygit2.Tree)]
            pending = [t for t in subtrees if t.id not in found and self._get(t.id) is None]
            if pending and not children_done:
                stack.append((node, True))
                stack.extend((t, False) for t in pending)
                continue
            total = 0
            for entry in node:
                if isinstance(entry, pygit2.Tree):
                    known = found.get(entry.id)
                    total += known if known is not None else self._get(entry.id) or 0
                elif entry.filemode != FileMode.COMMIT:
                    total += int(repo.odb.read_header(entry.id)[1])
            found[node.id] = total
        with self._lock:
            if len(self._sizes) + len(found) > MAX_CACHED_TREES:
                self._sizes.clear()
            self._sizes.update(found)
        return found.get(tree.id, self._get(tree.id) or 0)

    def _get(self, oid: pygit2.Oid) -> int | None:
        with self._lock:
            return self._sizes.get(oid)
