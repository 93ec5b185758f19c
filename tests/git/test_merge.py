from __future__ import annotations

import pytest

from draftroom.errors import MergeConflict, StaleHead
from draftroom.git import Change, Repository


@pytest.fixture
def sandbox(repo: Repository) -> Repository:
    repo.create_branch("sb")
    return repo


def test_merge_up_to_date_returns_head_without_commit(sandbox: Repository) -> None:
    preview = sandbox.merge_preview("sb", "main")
    assert preview.up_to_date and not preview.fast_forward and preview.files == []
    result = sandbox.merge("sb", "main", message="m")
    assert result.sha == sandbox.head("main") and not result.fast_forward


def test_merge_fast_forwards_when_target_is_ancestor(sandbox: Repository) -> None:
    done = sandbox.commit_changes("sb", [Change("a", b"1")], message="a")
    preview = sandbox.merge_preview("sb", "main")
    assert preview.fast_forward and [f.path for f in preview.files] == ["a"]
    result = sandbox.merge("sb", "main", message="m")
    assert result.fast_forward and result.sha == done.sha == sandbox.head("main")
    assert result.files == ["a"]


def test_merge_creates_two_parent_commit(sandbox: Repository) -> None:
    sandbox.commit_changes("sb", [Change("a", b"1")], message="a")
    main = sandbox.commit_changes("main", [Change("b", b"2")], message="b")
    preview = sandbox.merge_preview("sb", "main")
    assert not preview.fast_forward and preview.conflicts == []
    assert [f.path for f in preview.files] == ["a"]
    result = sandbox.merge("sb", "main", message="Merge sb", trailers={"Tool": "git.merge"})
    entry = sandbox.log("main", limit=1).commits[0]
    assert entry.parents == [main.sha, sandbox.head("sb")]
    assert entry.trailers == {"Tool": "git.merge"}
    assert result.files == ["a"]
    assert sandbox.read_file("main", "a").data == b"1"


def test_merge_conflict_writes_nothing(sandbox: Repository) -> None:
    sandbox.commit_changes("sb", [Change("a", b"ours\n")], message="a")
    main = sandbox.commit_changes("main", [Change("a", b"theirs\n")], message="a")
    preview = sandbox.merge_preview("sb", "main")
    assert preview.conflicts == ["a"]
    with pytest.raises(MergeConflict) as info:
        sandbox.merge("sb", "main", message="m")
    assert info.value.details == {"paths": ["a"]}
    assert sandbox.head("main") == main.sha


def test_merge_resolver_settles_conflicts(sandbox: Repository) -> None:
    sandbox.commit_changes("sb", [Change("a", b"source\n"), Change("b", b"s\n")], message="sb")
    sandbox.commit_changes("main", [Change("a", b"target\n"), Change("b", b"t\n")], message="m")
    calls: list[tuple[str, bytes | None, bytes | None, bytes | None]] = []

    def resolve(path: str, base: bytes | None, ours: bytes | None, theirs: bytes | None) -> bytes:
        calls.append((path, base, ours, theirs))
        return (ours or b"") + (theirs or b"")

    sandbox.merge("sb", "main", message="m", resolver=resolve)
    assert calls[0] == ("a", None, b"target\n", b"source\n")
    assert sandbox.read_file("main", "a").data == b"target\nsource\n"


def test_resolver_returning_none_keeps_conflict(sandbox: Repository) -> None:
    sandbox.commit_changes("sb", [Change("a", b"1"), Change("b", b"1")], message="sb")
    main = sandbox.commit_changes("main", [Change("a", b"2"), Change("b", b"2")], message="m")
    with pytest.raises(MergeConflict) as info:
        sandbox.merge("sb", "main", message="m", resolver=lambda p, *_: None if p == "b" else b"x")
    assert info.value.details["paths"] == ["b"]
    assert sandbox.head("main") == main.sha


def test_merge_with_stale_target_head_raises(sandbox: Repository) -> None:
    seen = sandbox.head("main")
    sandbox.commit_changes("sb", [Change("a", b"1")], message="a")
    sandbox.commit_changes("main", [Change("b", b"1")], message="b")
    with pytest.raises(StaleHead):
        sandbox.merge("sb", "main", message="m", expected_target_head=seen)
