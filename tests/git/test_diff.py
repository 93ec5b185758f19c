from __future__ import annotations

import pytest

from draftroom.errors import InvalidPath, RefNotFound
from draftroom.git import Change, Repository


@pytest.fixture
def sandbox(repo: Repository) -> Repository:
    repo.create_branch("sb")
    return repo


def test_diff_reports_status_counts_and_patch(sandbox: Repository) -> None:
    sandbox.commit_changes(
        "sb", [Change("mod.txt", b"a\nb\nc\n"), Change("gone.txt", b"bye\n")], message="base"
    )
    base = sandbox.head("sb")
    sandbox.commit_changes(
        "sb",
        [
            Change("mod.txt", b"a\nB\nc\nd\n"),
            Change("gone.txt", delete=True),
            Change("new.txt", b"new\n"),
        ],
        message="change",
    )
    files = {f.path: f for f in sandbox.diff(base, "sb").files}
    assert files["mod.txt"].status == "modified"
    assert (files["mod.txt"].additions, files["mod.txt"].deletions) == (2, 1)
    assert "+B" in files["mod.txt"].patch and "-b" in files["mod.txt"].patch
    assert files["gone.txt"].status == "deleted" and files["gone.txt"].deletions == 1
    assert files["new.txt"].status == "added" and files["new.txt"].additions == 1


def test_diff_detects_renames(sandbox: Repository) -> None:
    body = b"".join(b"line %d\n" % i for i in range(40))
    sandbox.commit_changes("sb", [Change("old/name.txt", body)], message="add")
    base = sandbox.head("sb")
    sandbox.commit_changes(
        "sb", [Change("old/name.txt", delete=True), Change("new/name.txt", body)], message="mv"
    )
    (file,) = sandbox.diff(base, "sb").files
    assert file.status == "renamed"
    assert (file.old_path, file.path) == ("old/name.txt", "new/name.txt")


def test_binary_files_are_flagged_and_never_dumped(sandbox: Repository) -> None:
    sandbox.commit_changes("sb", [Change("img.png", b"\x89PNG\x00\x01" * 50)], message="bin")
    (file,) = sandbox.diff("main", "sb").files
    assert file.binary and file.patch == ""


def test_patch_text_is_capped_and_counts_survive(sandbox: Repository) -> None:
    changes = [Change(f"f{i}.txt", b"x\n" * 200) for i in range(5)]
    sandbox.commit_changes("sb", changes, message="big")
    diff = sandbox.diff("main", "sb", max_patch_bytes=1500)
    assert diff.truncated
    assert sum(len(f.patch.encode()) for f in diff.files) <= 1500
    assert all(f.additions == 200 for f in diff.files)
    assert diff.files[-1].patch == ""
    assert not sandbox.diff("main", "sb").truncated


def test_diff_path_filter_and_validation(sandbox: Repository) -> None:
    sandbox.commit_changes("sb", [Change("a/x", b"1"), Change("b/y", b"2")], message="m")
    assert [f.path for f in sandbox.diff("main", "sb", paths=["a"]).files] == ["a/x"]
    with pytest.raises(InvalidPath):
        sandbox.diff("main", "sb", paths=["../a"])
    with pytest.raises(RefNotFound):
        sandbox.diff("main", "nope")
