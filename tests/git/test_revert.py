from __future__ import annotations

import pytest

from draftroom.errors import CommitNotFound, EmptyChangeSet, RevertConflict, StaleHead
from draftroom.git import Change, Repository


@pytest.fixture
def sandbox(repo: Repository) -> Repository:
    repo.create_branch("sb")
    return repo


def test_revert_undoes_a_commit_with_default_message_and_trailer(sandbox: Repository) -> None:
    keep = sandbox.commit_changes("sb", [Change("keep", b"1")], message="Keep")
    bad = sandbox.commit_changes(
        "sb", [Change("keep", b"2"), Change("new", b"x")], message="Bad idea"
    )
    result = sandbox.revert_commit("sb", bad.sha, trailers={"Tool": "git.revert"})
    assert result.parent == bad.sha and result.files == ["keep", "new"]
    assert sandbox.read_file("sb", "keep").data == b"1"
    entry = sandbox.log("sb", limit=1).commits[0]
    assert entry.summary == 'Revert "Bad idea"'
    assert f"This reverts commit {bad.sha}." in entry.message
    assert entry.trailers == {"Reverts": bad.sha, "Tool": "git.revert"}
    assert keep.sha in [c.sha for c in sandbox.log("sb").commits]


def test_revert_keeps_later_changes_to_other_paths(sandbox: Repository) -> None:
    bad = sandbox.commit_changes("sb", [Change("a", b"bad")], message="a")
    sandbox.commit_changes("sb", [Change("b", b"later")], message="b")
    sandbox.revert_commit("sb", bad.sha[:10])
    assert sandbox.read_file("sb", "b").data == b"later"
    assert [e.path for e in sandbox.list_tree("sb").entries] == ["README.md", "b"]


def test_revert_conflict_writes_nothing(sandbox: Repository) -> None:
    bad = sandbox.commit_changes("sb", [Change("a", b"one\n")], message="a")
    later = sandbox.commit_changes("sb", [Change("a", b"two\n")], message="a again")
    with pytest.raises(RevertConflict) as info:
        sandbox.revert_commit("sb", bad.sha)
    assert info.value.details["paths"] == ["a"]
    assert sandbox.head("sb") == later.sha


def test_revert_of_commit_not_on_branch_is_commit_not_found(sandbox: Repository) -> None:
    sandbox.create_branch("other")
    elsewhere = sandbox.commit_changes("other", [Change("x", b"1")], message="m")
    with pytest.raises(CommitNotFound):
        sandbox.revert_commit("sb", elsewhere.sha)
    with pytest.raises(CommitNotFound):
        sandbox.revert_commit("sb", "0" * 40)


def test_revert_of_merge_commit_uses_first_parent(sandbox: Repository) -> None:
    sandbox.create_branch("feature")
    sandbox.commit_changes("feature", [Change("f", b"feature")], message="f")
    sandbox.commit_changes("sb", [Change("s", b"sandbox")], message="s")
    merged = sandbox.merge("feature", "sb", message="Merge feature")
    sandbox.revert_commit("sb", merged.sha)
    names = [e.path for e in sandbox.list_tree("sb").entries]
    assert names == ["README.md", "s"]


def test_revert_applies_extra_changes_in_the_same_commit(sandbox: Repository) -> None:
    bad = sandbox.commit_changes("sb", [Change("a", b"1")], message="a")
    result = sandbox.revert_commit(
        "sb", bad.sha, message="Undo a", extra_changes=[Change(".draftroom/log.md", b"undone")]
    )
    assert result.files == [".draftroom/log.md", "a"]
    assert sandbox.log("sb", limit=1).commits[0].summary == "Undo a"


def test_revert_twice_is_empty_and_stale_expected_head_raises(sandbox: Repository) -> None:
    bad = sandbox.commit_changes("sb", [Change("a", b"1")], message="a")
    sandbox.revert_commit("sb", bad.sha)
    with pytest.raises(EmptyChangeSet):
        sandbox.revert_commit("sb", bad.sha)
    with pytest.raises(StaleHead):
        sandbox.revert_commit("sb", bad.sha, expected_head=bad.sha)


def test_restore_tree_returns_to_an_earlier_state_keeping_history(sandbox: Repository) -> None:
    start = sandbox.head("sb")
    sandbox.commit_changes("sb", [Change("a", b"1")], message="a")
    last = sandbox.commit_changes("sb", [Change("b/c", b"2")], message="b")
    result = sandbox.restore_tree("sb", start, message="Back to start")
    assert result.parent == last.sha and result.files == ["a", "b/c"]
    assert sandbox.diff(start, "sb").files == []
    assert len(sandbox.log("sb").commits) == 4


def test_restore_tree_equal_tree_is_empty_unless_extra_changes(sandbox: Repository) -> None:
    with pytest.raises(EmptyChangeSet):
        sandbox.restore_tree("sb", "main", message="noop")
    result = sandbox.restore_tree(
        "sb", "main", message="log only", extra_changes=[Change("log.md", b"x")]
    )
    assert result.files == ["log.md"]
