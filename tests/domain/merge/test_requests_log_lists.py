"""The resolver that keeps .logs/ lists from ever conflicting across sandboxes."""

from __future__ import annotations

from pathlib import Path

import yaml

from draftroom.domain.merge import union_log_lists
from draftroom.git import Change, Repository

HEADER = b"# Commits rolled back in this sandbox, oldest first. Written by draftroom.\n"
PATH = ".logs/reverted_commits.yaml"


def entries(*names: str) -> bytes:
    return yaml.safe_dump([{"reverted_sha": n} for n in names], sort_keys=False).encode()


def test_union_is_base_plus_both_sides_additions_with_ours_kept_verbatim() -> None:
    base = HEADER + entries("a")
    ours = base + entries("b")
    theirs = base + entries("c", "d")

    merged = union_log_lists(PATH, base, ours, theirs)

    assert merged is not None and merged.startswith(ours)
    assert [r["reverted_sha"] for r in yaml.safe_load(merged)] == ["a", "b", "c", "d"]


def test_both_sides_adding_the_file_is_a_union_without_duplicates() -> None:
    merged = union_log_lists(PATH, None, HEADER + entries("a", "b"), HEADER + entries("b", "c"))

    assert merged is not None
    assert [r["reverted_sha"] for r in yaml.safe_load(merged)] == ["a", "b", "c"]


def test_an_empty_flow_list_still_merges_to_a_valid_list() -> None:
    merged = union_log_lists(".logs/x.yaml", b"[]\n", b"[]\n", entries("a"))

    assert merged is not None and yaml.safe_load(merged) == [{"reverted_sha": "a"}]


def test_anything_else_stays_a_conflict() -> None:
    assert union_log_lists("notes/list.yaml", None, entries("a"), entries("b")) is None
    assert union_log_lists(".logs/changelog.md", None, b"a\n", b"b\n") is None
    assert union_log_lists(PATH, entries("a"), None, entries("a", "b")) is None
    assert union_log_lists(PATH, None, b"key: value\n", entries("b")) is None
    assert union_log_lists(PATH, None, b"- [unclosed\n", entries("b")) is None


def test_the_engine_merges_two_branches_appending_to_the_same_log(tmp_path: Path) -> None:
    repo = Repository.init(tmp_path / "repo.git")
    repo.commit_changes("main", [Change(PATH, HEADER + entries("a"))], message="log a")
    repo.create_branch("one")
    repo.create_branch("two")
    repo.commit_changes("one", [Change(PATH, HEADER + entries("a", "b"))], message="log b")
    repo.commit_changes("two", [Change(PATH, HEADER + entries("a", "c"))], message="log c")
    repo.merge("one", "main", message="merge one")

    repo.merge("two", "main", message="merge two", resolver=union_log_lists)

    merged = yaml.safe_load(repo.read_file("main", PATH).data)
    assert [r["reverted_sha"] for r in merged] == ["a", "b", "c"]
