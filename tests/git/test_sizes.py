"""Sandbox size: the sum of a tree's file sizes, cached per tree oid."""

from __future__ import annotations

import pygit2
from pygit2.enums import FileMode

from draftroom.git import Change, Repository


def test_tree_size_sums_every_file_at_any_depth(repo: Repository) -> None:
    base = repo.tree_size("main")
    assert base == len(b"# hello\n")
    repo.commit_changes(
        "main",
        [Change("a/b/c.bin", b"x" * 1000), Change("a/d.txt", b"y" * 10)],
        message="m",
    )
    assert repo.tree_size("main") == base + 1010
    repo.commit_changes("main", [Change("a/b/c.bin", delete=True)], message="m")
    assert repo.tree_size("main") == base + 10


def test_a_deep_tree_made_by_other_tools_does_not_exhaust_the_stack(repo: Repository) -> None:
    raw = pygit2.Repository(str(repo.path))
    builder = raw.TreeBuilder()
    builder.insert("f", raw.create_blob(b"12345"), FileMode.BLOB)
    tree = builder.write()
    for _ in range(3000):  # far deeper than any path we accept; git itself allows it
        builder = raw.TreeBuilder()
        builder.insert("d", tree, FileMode.TREE)
        tree = builder.write()
    who = pygit2.Signature("t", "t@example.com")
    raw.create_commit("refs/heads/deep", who, who, "deep\n", tree, [])
    assert repo.tree_size("deep") == 5


def test_file_size_reads_the_header_and_is_none_for_missing_paths(repo: Repository) -> None:
    repo.commit_changes("main", [Change("dir/f", b"abc")], message="m")
    assert repo.file_size("main", "dir/f") == 3
    assert repo.file_size("main", "dir") is None
    assert repo.file_size("main", "nope") is None
