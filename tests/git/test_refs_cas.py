from __future__ import annotations

from pathlib import Path

import pytest

from draftroom.errors import BranchNotAllowed, InvalidRef
from draftroom.git import Change, Repository


def test_set_ref_moves_a_branch_only_from_the_expected_commit(tmp_path: Path) -> None:
    repo = Repository.init(tmp_path / "r.git")
    first = repo.head("main")
    second = repo.commit_changes("main", [Change("a.txt", b"a")], message="a").sha
    assert not repo.set_ref("refs/heads/main", first, expected="0" * 40)
    assert repo.head("main") == second
    assert repo.set_ref("refs/heads/main", first, expected=second)
    assert repo.head("main") == first


def test_set_ref_creates_only_when_nothing_was_expected(tmp_path: Path) -> None:
    repo = Repository.init(tmp_path / "r.git")
    head = repo.head("main")
    assert not repo.set_ref("refs/draftroom/outbox/x", head, expected=head)
    assert repo.read_ref("refs/draftroom/outbox/x") is None
    assert repo.set_ref("refs/draftroom/outbox/x", head)
    assert repo.read_ref("refs/draftroom/outbox/x") == head
    assert not repo.set_ref("refs/draftroom/outbox/x", head)
    assert repo.set_ref("refs/draftroom/outbox/x", head, force=True)


def test_set_ref_refuses_short_names_and_checked_out_branches(tmp_path: Path) -> None:
    repo = Repository.init(tmp_path / "r.git")
    with pytest.raises(InvalidRef):
        repo.set_ref("main", repo.head("main"), force=True)
    # A non-bare repository has its HEAD branch checked out in a working tree.
    config = (repo.path / "config").read_text().replace("bare = true", "bare = false")
    (repo.path / "config").write_text(config)
    work = Repository.open(repo.path)
    with pytest.raises(BranchNotAllowed):
        work.set_ref("refs/heads/main", work.head("main"), force=True)
