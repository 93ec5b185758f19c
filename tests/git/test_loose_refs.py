"""Moving a branch by swapping its loose ref file: atomic, git-compatible, compare-and-swap."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pygit2
import pytest

from draftroom.errors import StaleHead
from draftroom.git import Change, Repository, loose_refs


def raw(repo: Repository) -> pygit2.Repository:
    return pygit2.Repository(str(repo.path))


def test_commit_moves_the_ref_file_and_leaves_no_lock(
    repo: Repository, git_cli: Callable[..., str], fsck: Callable[[Path], None]
) -> None:
    repo.create_branch("sandbox/a")
    for i in range(3):
        result = repo.commit_changes("sandbox/a", [Change("f.txt", b"%d" % i)], message="m")
    ref = repo.path / "refs" / "heads" / "sandbox" / "a"
    assert ref.read_text() == result.sha + "\n"
    assert not ref.with_name("a.lock").exists()
    assert git_cli(repo.path, "rev-parse", "sandbox/a").strip() == result.sha
    assert git_cli(repo.path, "show", "sandbox/a:f.txt") == "2"
    fsck(repo.path)


def test_bare_repository_keeps_no_reflog(repo: Repository) -> None:
    repo.create_branch("sb")
    repo.commit_changes("sb", [Change("f", b"x")], message="m")
    assert not loose_refs.writes_reflog(raw(repo))
    assert not (repo.path / "logs" / "refs" / "heads" / "sb").exists()


def test_reflog_is_still_written_when_configured(
    repo: Repository, git_cli: Callable[..., str]
) -> None:
    git_cli(repo.path, "config", "core.logAllRefUpdates", "true")
    repo.create_branch("sb")
    result = repo.commit_changes("sb", [Change("f", b"x")], message="m")
    assert loose_refs.writes_reflog(raw(repo))
    assert "draftroom: commit" in git_cli(repo.path, "reflog", "show", "sb")
    assert repo.head("sb") == result.sha


def test_branch_only_in_packed_refs_is_committed_to(
    repo: Repository, git_cli: Callable[..., str], fsck: Callable[[Path], None]
) -> None:
    repo.create_branch("sandbox/packed")
    git_cli(repo.path, "pack-refs", "--all")
    assert not (repo.path / "refs" / "heads" / "sandbox" / "packed").exists()
    result = repo.commit_changes("sandbox/packed", [Change("p", b"p")], message="m")
    assert git_cli(repo.path, "rev-parse", "sandbox/packed").strip() == result.sha
    assert not (repo.path / "refs" / "heads" / "sandbox" / "packed.lock").exists()
    fsck(repo.path)


def test_ref_that_moved_is_not_overwritten(repo: Repository) -> None:
    repo.create_branch("sb")
    before = repo.head("sb")
    moved = repo.commit_changes("sb", [Change("f", b"x")], message="m").sha
    with pytest.raises(loose_refs.RefMoved):
        loose_refs.update_ref(
            raw(repo), "refs/heads/sb", pygit2.Oid(hex=before), pygit2.Oid(hex=before)
        )
    assert repo.head("sb") == moved
    assert not (repo.path / "refs" / "heads" / "sb.lock").exists()


def test_lock_held_by_another_git_writer_is_respected(repo: Repository) -> None:
    repo.create_branch("sb")
    lock = repo.path / "refs" / "heads" / "sb.lock"
    lock.write_text("someone else\n")
    head = repo.head("sb")
    with pytest.raises(StaleHead):
        repo.commit_changes("sb", [Change("f", b"x")], message="m")
    assert lock.read_text() == "someone else\n"
    assert repo.head("sb") == head


def test_fsync_mode_moves_the_ref_too(
    repo: Repository, monkeypatch: pytest.MonkeyPatch, fsck: Callable[[Path], None]
) -> None:
    monkeypatch.setattr(loose_refs, "_fsync", True)
    repo.create_branch("sb")
    result = repo.commit_changes("sb", [Change("f", b"x")], message="m")
    assert repo.head("sb") == result.sha
    fsck(repo.path)


def test_exchange_swaps_and_rename_replaces_a_missing_target(tmp_path: Path) -> None:
    source, target = tmp_path / "new", tmp_path / "ref"
    source.write_text("new")
    assert not loose_refs.exchange_or_rename(source, target)
    assert target.read_text() == "new" and not source.exists()
    source.write_text("newer")
    swapped = loose_refs.exchange_or_rename(source, target)
    assert target.read_text() == "newer"
    if swapped:
        assert source.read_text() == "new"
    else:
        assert not source.exists()
