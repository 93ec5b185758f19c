"""A commit's objects land as one pack; small packs are merged; readers never miss an object."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pygit2
import pytest

from draftroom.errors import EmptyChangeSet
from draftroom.git import Change, Repository
from draftroom.git.housekeeping import merge_small_packs, pack_count
from draftroom.git.packs import NewObjects
from draftroom.git.writing import CHECK_PACKS_EVERY, PACK_LIMIT

from .conftest import GitCli


def loose_objects(gitdir: Path) -> list[Path]:
    return [p for p in (gitdir / "objects").glob("[0-9a-f][0-9a-f]/*") if "tmp_" not in p.name]


def test_a_commit_is_one_pack_git_reads(
    repo: Repository, git_cli: GitCli, fsck: Callable[[Path], None]
) -> None:
    repo.create_branch("sb")
    loose = len(loose_objects(repo.path))
    packs = pack_count(repo.path)
    big = bytes(range(256)) * 20_000  # 5 MB: a pack entry's size takes several bytes
    result = repo.commit_changes(
        "sb",
        [
            Change("a/b/c.txt", b"deep\n"),
            Change("run.sh", b"#!/bin/sh\n", executable=True),
            Change("big.bin", big),
            Change("README.md", delete=True),
        ],
        message="several trees",
        trailers={"Draftroom-Tool": "git.commit"},
    )
    assert pack_count(repo.path) == packs + 1
    assert len(loose_objects(repo.path)) == loose  # nothing loose
    assert git_cli(repo.path, "cat-file", "-p", f"{result.sha}:a/b/c.txt") == "deep\n"
    assert git_cli(repo.path, "ls-tree", result.sha, "run.sh").startswith("100755 blob")
    assert "README.md" not in git_cli(repo.path, "ls-tree", "--name-only", result.sha)
    assert repo.read_file("sb", "big.bin").data == big
    message = git_cli(repo.path, "log", "-1", "--format=%B", "sb")
    assert message.startswith("several trees") and "Draftroom-Tool: git.commit" in message
    fsck(repo.path)


def test_objects_match_what_libgit2_writes(repo: Repository) -> None:
    """Same ids as libgit2 for trees (git's order: a directory sorts as ``name/``) and commits."""
    raw = pygit2.Repository(str(repo.path))
    blob = raw.create_blob(b"x\n")
    sub = raw.TreeBuilder()
    sub.insert("f", blob, pygit2.GIT_FILEMODE_BLOB)
    sub_id = sub.write()
    names = {"dir": (sub_id, pygit2.GIT_FILEMODE_TREE), "dir.txt": (blob, 0o100755)}
    names |= {"dir-a": (blob, pygit2.GIT_FILEMODE_BLOB), "link": (blob, pygit2.GIT_FILEMODE_LINK)}
    builder = raw.TreeBuilder()
    for name, (oid, mode) in names.items():
        builder.insert(name, oid, mode)
    new = NewObjects()
    tree = new.tree({name.encode(): (mode, oid.raw) for name, (oid, mode) in names.items()})
    assert tree == builder.write()
    who = pygit2.Signature("Zoë Q", "z@example.com", 1_700_000_000, -330)
    message = "subject\n\nbody ünïcode\n"
    expected = raw.create_commit(None, who, who, message, tree, [raw.head.target])
    assert new.commit(tree, [raw.head.target], who, who, message) == expected


def test_an_empty_change_set_writes_nothing(repo: Repository) -> None:
    repo.create_branch("sb")
    files = sorted((repo.path / "objects").rglob("*"))
    with pytest.raises(EmptyChangeSet):
        repo.commit_changes("sb", [Change("README.md", b"# hello\n")], message="same")
    assert sorted((repo.path / "objects").rglob("*")) == files


def test_small_packs_are_merged_and_every_reader_still_finds_every_commit(
    repo: Repository, fsck: Callable[[Path], None]
) -> None:
    repo.create_branch("sb")
    stale = Repository.open(repo.path)  # another handle: its packs get deleted under it
    first = repo.commit_changes("sb", [Change("f/0", b"0")], message="0").sha
    assert stale.read_file(first, "f/0").data == b"0"  # it has opened that pack
    shas = [first]
    commits = PACK_LIMIT + 2 * CHECK_PACKS_EVERY
    for i in range(1, commits):
        shas.append(repo.commit_changes("sb", [Change(f"f/{i}", b"%d" % i)], message="m").sha)
    assert pack_count(repo.path) < PACK_LIMIT  # merged on the way
    for i, sha in enumerate(shas):
        assert stale.read_file(sha, f"f/{i}").data == b"%d" % i
        assert repo.read_file("sb", f"f/{i}").data == b"%d" % i
    assert len(repo.log("sb", limit=1000).commits) == commits + 1
    fsck(repo.path)


def test_a_merge_is_skipped_while_another_process_repacks(repo: Repository) -> None:
    (repo.path / "draftroom" / "locks").mkdir(parents=True, exist_ok=True)
    for i in range(3):
        objects = NewObjects()
        objects.blob(b"blob %d" % i)
        objects.write(repo.path)
    with subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
            "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); sys.stdin.read()",
            str(repo.path / "draftroom" / "locks" / "packs.lock"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        before = pack_count(repo.path)
        assert merge_small_packs(repo.path) is False
        assert pack_count(repo.path) == before
        holder.kill()
    assert merge_small_packs(repo.path) is True
    assert pack_count(repo.path) < before


def test_a_pack_torn_by_a_crash_is_ignored(repo: Repository, fsck: Callable[[Path], None]) -> None:
    """kill -9 before the index is renamed leaves a temporary file or a pack without an
    index: readers never see it, the next commits land, fsck stays clean."""
    pack_dir = repo.path / "objects" / "pack"
    (pack_dir / "tmp_pack_torn").write_bytes(b"PACK\0\0\0\2 torn")
    (pack_dir / f"pack-{'ab' * 20}.pack").write_bytes(b"PACK\0\0\0\2 no index")
    repo.create_branch("sb")
    sha = repo.commit_changes("sb", [Change("after.txt", b"ok\n")], message="after").sha
    assert repo.read_file(sha, "after.txt").data == b"ok\n"
    fsck(repo.path)
