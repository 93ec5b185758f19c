from __future__ import annotations

from datetime import UTC

import pytest

from draftroom.errors import CommitNotFound, InvalidInput
from draftroom.git import Change, Repository


@pytest.fixture
def history(repo: Repository) -> list[str]:
    repo.create_branch("sb")
    shas = [repo.head("sb")]
    for i in range(7):
        path = "docs/a.md" if i % 2 else f"src/{i}.py"
        shas.append(repo.commit_changes("sb", [Change(path, b"%d" % i)], message=f"c{i}").sha)
    return shas


def test_log_pages_newest_first_without_repeats_or_gaps(
    repo: Repository, history: list[str]
) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        page = repo.log("sb", cursor=cursor, limit=3)
        seen.extend(c.sha for c in page.commits)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == list(reversed(history))


def test_log_cursor_survives_new_commits(repo: Repository, history: list[str]) -> None:
    page = repo.log("sb", limit=2)
    repo.commit_changes("sb", [Change("late", b"1")], message="late")
    rest = repo.log("sb", cursor=page.next_cursor, limit=100)
    assert [c.sha for c in page.commits + rest.commits] == list(reversed(history))


def test_log_filters_by_path_or_directory(repo: Repository, history: list[str]) -> None:
    docs = repo.log("sb", path="docs")
    assert [c.summary for c in docs.commits] == ["c5", "c3", "c1"]
    assert repo.log("sb", path="docs/a.md", limit=2).next_cursor is not None
    assert [c.summary for c in repo.log("sb", path="src/0.py").commits] == ["c0"]


def test_log_entries_carry_files_time_and_parents(repo: Repository, history: list[str]) -> None:
    newest, root = repo.log("sb").commits[0], repo.log("sb").commits[-1]
    assert newest.files == ["src/6.py"] and newest.parents == [history[-2]]
    assert newest.time.tzinfo is UTC
    assert root.parents == [] and root.files == ["README.md"]


def test_commit_files_and_bad_cursor(repo: Repository, history: list[str]) -> None:
    assert repo.commit_files(history[2]) == ["docs/a.md"]
    with pytest.raises(CommitNotFound):
        repo.commit_files("0" * 40)
    with pytest.raises(InvalidInput, match="cursor"):
        repo.log("sb", cursor="0" * 40)
    with pytest.raises(InvalidInput):
        repo.log("sb", limit=0)
