"""A ref lock file left by a killed writer no longer blocks the branch."""

from __future__ import annotations

import os
import time

import pytest

from draftroom.errors import StaleHead
from draftroom.git import Change, Repository
from draftroom.git.locks import STALE_REF_LOCK_SECONDS


def leave_ref_lock(repo: Repository, branch: str, age: float) -> os.PathLike[str]:
    """What ``kill -9`` during a ref update leaves: ``refs/heads/<branch>.lock``."""
    lock = repo.path / "refs" / "heads" / f"{branch}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text(repo.head(branch) + "\n")
    then = time.time() - age
    os.utime(lock, (then, then))
    return lock


def test_an_old_ref_lock_is_removed_and_the_commit_succeeds(repo: Repository) -> None:
    lock = leave_ref_lock(repo, "main", age=STALE_REF_LOCK_SECONDS + 60)
    result = repo.commit_changes("main", [Change("a.txt", b"a")], message="after the crash")
    assert repo.head("main") == result.sha
    assert not os.path.exists(lock)


def test_a_fresh_ref_lock_is_left_to_its_owner(repo: Repository) -> None:
    lock = leave_ref_lock(repo, "main", age=0)
    before = repo.head("main")
    with pytest.raises(StaleHead):
        repo.commit_changes("main", [Change("a.txt", b"a")], message="blocked")
    assert os.path.exists(lock) and repo.head("main") == before


def test_a_stale_lock_of_a_nested_branch_is_removed(repo: Repository) -> None:
    repo.create_branch("sandbox/one")
    leave_ref_lock(repo, "sandbox/one", age=STALE_REF_LOCK_SECONDS + 1)
    result = repo.commit_changes("sandbox/one", [Change("b", b"b")], message="m")
    assert repo.head("sandbox/one") == result.sha
