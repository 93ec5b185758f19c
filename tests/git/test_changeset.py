from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pygit2
import pytest

from draftroom.errors import (
    EmptyChangeSet,
    InvalidInput,
    InvalidPath,
    PathNotFound,
    RefNotFound,
    StaleHead,
)
from draftroom.git import Change, Identity, Repository


def paths(repo: Repository, ref: str) -> list[str]:
    page = repo.list_tree(ref, recursive=True, limit=1000)
    return [e.path for e in page.entries]


def test_commit_adds_modifies_and_deletes_many_paths_at_once(repo: Repository) -> None:
    repo.create_branch("sb")
    first = repo.commit_changes(
        "sb", [Change("a.txt", b"a"), Change("b.txt", b"b")], message="two files"
    )
    result = repo.commit_changes(
        "sb",
        [Change("a.txt", b"A"), Change("b.txt", delete=True), Change("c/d.txt", b"d")],
        message="mixed",
    )
    assert result.parent == first.sha
    assert result.files == ["a.txt", "b.txt", "c/d.txt"]
    assert repo.head("sb") == result.sha
    assert repo.read_file("sb", "a.txt").data == b"A"
    assert paths(repo, "sb") == ["README.md", "a.txt", "c", "c/d.txt"]
    assert repo.head("main") != result.sha


def test_nested_add_then_delete_prunes_empty_directories(repo: Repository) -> None:
    repo.create_branch("sb")
    repo.commit_changes(
        "sb", [Change("x/y/z/deep.txt", b"1"), Change("x/keep.txt", b"2")], message="m"
    )
    assert "x/y/z" in paths(repo, "sb")
    repo.commit_changes("sb", [Change("x/y/z/deep.txt", delete=True)], message="rm")
    assert paths(repo, "sb") == ["README.md", "x", "x/keep.txt"]
    repo.commit_changes("sb", [Change("x/keep.txt", delete=True)], message="rm")
    assert paths(repo, "sb") == ["README.md"]


def test_deleting_a_directory_removes_everything_under_it(repo: Repository) -> None:
    repo.create_branch("sb")
    repo.commit_changes("sb", [Change("d/a", b"1"), Change("d/e/b", b"2")], message="m")
    result = repo.commit_changes("sb", [Change("d", delete=True)], message="rm dir")
    assert paths(repo, "sb") == ["README.md"]
    assert repo.commit_files(result.sha) == ["d/a", "d/e/b"]


def test_binary_unicode_and_executable_content_round_trip(repo: Repository) -> None:
    repo.create_branch("sb")
    blob = bytes(range(256)) * 4
    repo.commit_changes(
        "sb",
        [
            Change("bin/tool.bin", blob),
            Change("ünï/cödé ✓.md", "héllo\n".encode()),
            Change("run.sh", b"#!/bin/sh\necho hi\n", executable=True),
        ],
        message="assorted",
    )
    assert repo.read_file("sb", "bin/tool.bin").data == blob
    assert repo.read_file("sb", "ünï/cödé ✓.md").data == "héllo\n".encode()
    script = repo.read_file("sb", "run.sh")
    assert script.executable and script.mode == 0o100755


def test_executable_none_keeps_mode_and_false_clears_it(repo: Repository) -> None:
    repo.create_branch("sb")
    repo.commit_changes("sb", [Change("run.sh", b"1", executable=True)], message="m")
    repo.commit_changes("sb", [Change("run.sh", b"2")], message="edit")
    assert repo.read_file("sb", "run.sh").executable
    repo.commit_changes("sb", [Change("run.sh", executable=False)], message="chmod")
    file = repo.read_file("sb", "run.sh")
    assert not file.executable and file.data == b"2"


def test_delete_of_missing_path_is_path_not_found(repo: Repository) -> None:
    repo.create_branch("sb")
    with pytest.raises(PathNotFound, match="no such file"):
        repo.commit_changes("sb", [Change("nope.txt", delete=True)], message="rm")


def test_writing_over_a_directory_or_under_a_file_is_invalid_path(repo: Repository) -> None:
    repo.create_branch("sb")
    repo.commit_changes("sb", [Change("d/f.txt", b"1")], message="m")
    with pytest.raises(InvalidPath, match="is a directory"):
        repo.commit_changes("sb", [Change("d", b"x")], message="m")
    with pytest.raises(InvalidPath, match="is a file"):
        repo.commit_changes("sb", [Change("d/f.txt/g", b"x")], message="m")
    with pytest.raises(InvalidPath, match="same change set"):
        repo.commit_changes("sb", [Change("e", b"x"), Change("e/f", b"y")], message="m")


def test_empty_and_no_op_change_sets_are_rejected(repo: Repository) -> None:
    repo.create_branch("sb")
    head = repo.head("sb")
    with pytest.raises(EmptyChangeSet):
        repo.commit_changes("sb", [], message="m")
    with pytest.raises(EmptyChangeSet, match="nothing changed"):
        repo.commit_changes("sb", [Change("README.md", b"# hello\n")], message="m")
    assert repo.head("sb") == head


def test_duplicate_paths_and_bad_input_are_invalid_input(repo: Repository) -> None:
    repo.create_branch("sb")
    with pytest.raises(InvalidInput, match="twice"):
        repo.commit_changes("sb", [Change("a", b"1"), Change("a", b"2")], message="m")
    with pytest.raises(InvalidInput, match="does nothing"):
        repo.commit_changes("sb", [Change("a")], message="m")
    with pytest.raises(InvalidInput, match="message"):
        repo.commit_changes("sb", [Change("a", b"1")], message="  ")
    with pytest.raises(InvalidPath):
        repo.commit_changes("sb", [Change("../a", b"1")], message="m")
    with pytest.raises(RefNotFound):
        repo.commit_changes("missing", [Change("a", b"1")], message="m")


def test_trailers_are_parsed_by_git_and_by_log(repo: Repository) -> None:
    repo.create_branch("sb")
    result = repo.commit_changes(
        "sb",
        [Change("a", b"1")],
        message="Add a\n\nBecause.",
        trailers={"Tool": "git.commit", "Sandbox": "sb"},
        author=Identity("Ada", "ada@example.com"),
    )
    raw = pygit2.Repository(str(repo.path))
    commit = raw[result.sha]
    assert isinstance(commit, pygit2.Commit)
    assert commit.message_trailers == {"Tool": "git.commit", "Sandbox": "sb"}
    assert commit.author.name == "Ada"
    entry = repo.log("sb", limit=1).commits[0]
    assert entry.trailers == {"Tool": "git.commit", "Sandbox": "sb"}
    assert entry.summary == "Add a"
    with pytest.raises(InvalidInput, match="trailer"):
        repo.commit_changes("sb", [Change("b", b"1")], message="m", trailers={"Bad Key": "v"})


def test_stale_head_on_same_path_is_conflict(repo: Repository) -> None:
    repo.create_branch("sb")
    seen = repo.head("sb")
    moved = repo.commit_changes("sb", [Change("notes/a.md", b"theirs")], message="other")
    with pytest.raises(StaleHead) as info:
        repo.commit_changes(
            "sb",
            [Change("notes/a.md", b"mine"), Change("b", b"x")],
            message="m",
            expected_head=seen,
        )
    assert info.value.details == {"head": moved.sha, "paths": ["notes/a.md"]}
    assert repo.head("sb") == moved.sha


def test_stale_head_on_parent_directory_is_conflict(repo: Repository) -> None:
    repo.create_branch("sb")
    seen = repo.head("sb")
    repo.commit_changes("sb", [Change("notes", b"file now")], message="other")
    with pytest.raises(StaleHead):
        repo.commit_changes("sb", [Change("notes/a.md", b"x")], message="m", expected_head=seen)


def test_stale_head_on_disjoint_paths_is_rebased(repo: Repository) -> None:
    repo.create_branch("sb")
    seen = repo.head("sb")
    moved = repo.commit_changes("sb", [Change("a", b"theirs")], message="other")
    result = repo.commit_changes("sb", [Change("b", b"mine")], message="m", expected_head=seen)
    assert result.rebased and result.parent == moved.sha
    assert repo.read_file("sb", "a").data == b"theirs"
    assert repo.read_file("sb", "b").data == b"mine"


def test_expected_head_not_in_history_is_stale(repo: Repository) -> None:
    repo.create_branch("sb")
    repo.create_branch("other")
    elsewhere = repo.commit_changes("other", [Change("x", b"1")], message="m")
    with pytest.raises(StaleHead):
        repo.commit_changes("sb", [Change("a", b"1")], message="m", expected_head=elsewhere.sha)
    with pytest.raises(StaleHead):
        repo.commit_changes("sb", [Change("a", b"1")], message="m", expected_head="f" * 40)


def test_git_cli_reads_what_we_wrote(
    repo: Repository, tmp_path: Path, git_cli: Callable[..., str], fsck: Callable[[Path], None]
) -> None:
    repo.create_branch("sb")
    result = repo.commit_changes(
        "sb",
        [Change("docs/ü.md", b"hi\n"), Change("run.sh", b"#!/bin/sh\n", executable=True)],
        message="Add docs",
        trailers={"Tool": "git.commit"},
    )
    assert "Add docs" in git_cli(repo.path, "log", "--format=%s", "sb")
    assert git_cli(repo.path, "show", f"{result.sha}:docs/ü.md") == "hi\n"
    trailers = git_cli(repo.path, "log", "-1", "--format=%(trailers:key=Tool,valueonly)", "sb")
    assert trailers.strip() == "git.commit"
    clone = tmp_path / "clone"
    git_cli(tmp_path, "clone", "-q", "--branch", "sb", str(repo.path), str(clone))
    assert (clone / "docs" / "ü.md").read_bytes() == b"hi\n"
    assert (clone / "run.sh").stat().st_mode & 0o111
    assert (clone / "README.md").read_bytes() == b"# hello\n"
    fsck(repo.path)


def test_an_ambiguous_change_cannot_be_built(repo: Repository) -> None:
    with pytest.raises(InvalidInput, match="both deletes and writes"):
        Change("a", b"1", delete=True)
    with pytest.raises(InvalidInput, match="must be bytes"):
        Change("a", "text")  # type: ignore[arg-type]
    assert Change("a", b"1", path_checked=True) == Change("a", b"1")
