"""Snapshots: files kept under a ref of their own, written once, read back with their kinds."""

from __future__ import annotations

from pathlib import Path

import pygit2
import pytest

from draftroom.errors import AlreadyExists, PayloadTooLarge
from draftroom.git import (
    Change,
    delete_snapshots,
    open_or_init_store,
    snapshot_files,
    snapshot_refs,
    store_snapshot,
)

REF = "refs/templates/global/app/1.0.0"


def test_a_snapshot_is_stored_once_and_read_back(tmp_path: Path) -> None:
    store = open_or_init_store(tmp_path / "store.git")
    files = [Change("a.txt", b"a"), Change("bin/run", b"#!/bin/sh\n", executable=True)]
    assert store_snapshot(store, REF, files, "Template app 1.0.0").created is True
    assert store_snapshot(store, REF, list(reversed(files)), "again").created is False
    with pytest.raises(AlreadyExists, match="new version"):
        store_snapshot(store, REF, [Change("a.txt", b"other")], "changed")
    found = snapshot_files(store, REF, 10, 1000)
    assert [(f.path, f.kind, f.data) for f in found] == [
        ("a.txt", "file", b"a"),
        ("bin/run", "executable", b"#!/bin/sh\n"),
    ]
    assert snapshot_refs(store, "refs/templates/global/") == [REF]
    assert delete_snapshots(store, "refs/templates/global/") == 1
    assert snapshot_refs(store, "refs/templates/") == []


def test_links_and_submodules_are_reported_as_such_and_size_is_bounded(tmp_path: Path) -> None:
    repo = pygit2.init_repository(str(tmp_path / "r.git"), bare=True)
    builder = repo.TreeBuilder()
    builder.insert("link", repo.create_blob(b"/etc/passwd"), pygit2.enums.FileMode.LINK)
    builder.insert("big", repo.create_blob(b"x" * 100), pygit2.enums.FileMode.BLOB)
    builder.insert("sub", pygit2.Oid(hex="1" * 40), pygit2.enums.FileMode.COMMIT)
    who = pygit2.Signature("t", "t@example.com")
    repo.create_commit("refs/heads/main", who, who, "m", builder.write(), [])
    gitdir = Path(repo.path)
    kinds = {f.path: f.kind for f in snapshot_files(gitdir, "refs/heads/main", 10, 1000)}
    assert kinds == {"big": "file", "link": "symlink", "sub": "submodule"}
    with pytest.raises(PayloadTooLarge):
        snapshot_files(gitdir, "refs/heads/main", 10, 50)
