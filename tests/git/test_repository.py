from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from draftroom.errors import (
    AlreadyExists,
    BranchNotAllowed,
    InvalidInput,
    InvalidPath,
    InvalidRef,
    PathNotFound,
    RefNotFound,
    RepoNotFound,
)
from draftroom.git import Change, Repository, validate_branch
from draftroom.git import __all__ as exported

GitCli = Callable[..., str]


def test_init_creates_bare_repo_with_main(tmp_path: Path, git_cli: GitCli) -> None:
    repo = Repository.init(tmp_path / "r.git")
    assert git_cli(repo.path, "rev-parse", "--is-bare-repository").strip() == "true"
    assert git_cli(repo.path, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    assert repo.read_file("main", "README.md").data.startswith(b"#")
    with pytest.raises(AlreadyExists):
        Repository.init(tmp_path / "r.git")


def test_open_accepts_work_tree_or_git_dir_and_rejects_others(
    tmp_path: Path, git_cli: GitCli
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    git_cli(work, "init", "-q", "-b", "main")
    assert Repository.open(work).path == (work / ".git").resolve()
    assert Repository.open(work / ".git").path == (work / ".git").resolve()
    with pytest.raises(RepoNotFound):
        Repository.open(tmp_path / "nowhere")
    (work / "sub").mkdir()
    with pytest.raises(RepoNotFound):
        Repository.open(work / "sub")


def test_resolve_branch_full_ref_and_sha_prefix(repo: Repository) -> None:
    head = repo.head("main")
    assert repo.resolve("main") == repo.resolve("refs/heads/main") == head
    assert repo.resolve(head) == repo.resolve(head[:7]) == head
    for bad in ["nope", "main~1", "HEAD@{0}", "abc", ""]:
        with pytest.raises(RefNotFound):
            repo.resolve(bad)


def test_branches_create_list_exist_and_reject_bad_names(repo: Repository) -> None:
    assert repo.create_branch("sandbox/a") == repo.head("main")
    repo.create_branch("sandbox/b", from_ref="sandbox/a")
    assert repo.list_branches() == ["main", "sandbox/a", "sandbox/b"]
    assert repo.list_branches("sandbox/") == ["sandbox/a", "sandbox/b"]
    assert repo.branch_exists("sandbox/a") and not repo.branch_exists("sandbox/c")
    with pytest.raises(AlreadyExists):
        repo.create_branch("sandbox/a")
    with pytest.raises(RefNotFound):
        repo.create_branch("x", from_ref="missing")
    for bad in [
        "a..b",
        "a b",
        "-x",
        "x.lock",
        "a~1",
        "a^",
        "a:b",
        "a?",
        "a*",
        "a[",
        "a\\b",
        "\x01",
    ]:
        with pytest.raises(InvalidRef):
            validate_branch(bad)
        with pytest.raises(InvalidRef):
            repo.create_branch(bad)


def test_archive_and_restore_branch_move_the_ref(repo: Repository) -> None:
    repo.create_branch("sb")
    done = repo.commit_changes("sb", [Change("a", b"1")], message="a")
    assert repo.archive_branch("sb") == "refs/draftroom/archive/sb"
    assert not repo.branch_exists("sb")
    assert repo.resolve("refs/draftroom/archive/sb") == done.sha
    repo.create_branch("sb")
    with pytest.raises(AlreadyExists):
        repo.restore_branch("sb")
    with pytest.raises(AlreadyExists):
        repo.archive_branch("sb")
    with pytest.raises(RefNotFound):
        repo.restore_branch("never")


def test_restore_branch_brings_back_its_head(repo: Repository) -> None:
    repo.create_branch("sb")
    done = repo.commit_changes("sb", [Change("a", b"1")], message="a")
    repo.archive_branch("sb")
    assert repo.restore_branch("sb") == done.sha == repo.head("sb")


def test_ancestry_and_ahead_behind(repo: Repository) -> None:
    repo.create_branch("sb")
    repo.commit_changes("sb", [Change("a", b"1")], message="a")
    repo.commit_changes("sb", [Change("b", b"1")], message="b")
    repo.commit_changes("main", [Change("c", b"1")], message="c")
    assert repo.is_ancestor("main", "main")
    assert not repo.is_ancestor("main", "sb") and not repo.is_ancestor("sb", "main")
    assert repo.is_ancestor(repo.log("sb").commits[-1].sha, "sb")
    assert repo.ahead_behind("sb", "main") == (2, 1)


def test_read_file_errors(repo: Repository) -> None:
    repo.create_branch("sb")
    repo.commit_changes("sb", [Change("d/f", b"1")], message="m")
    blob = repo.read_file("sb", "d/f")
    assert blob.size == 1 and blob.blob_id == hashlib.sha1(b"blob 1\x001").hexdigest()
    with pytest.raises(PathNotFound, match="directory"):
        repo.read_file("sb", "d")
    with pytest.raises(PathNotFound):
        repo.read_file("sb", "nope")
    with pytest.raises(InvalidPath):
        repo.read_file("sb", "/etc/passwd")
    with pytest.raises(InvalidPath):
        repo.read_file("sb", "")


def test_list_tree_pages_with_stable_cursor(repo: Repository) -> None:
    repo.create_branch("sb")
    repo.commit_changes(
        "sb", [Change(f"d/{i:02}.txt", b"x" * i) for i in range(10)], message="ten files"
    )
    top = repo.list_tree("sb")
    assert [(e.path, e.type, e.size) for e in top.entries] == [
        ("README.md", "file", 8),
        ("d", "dir", None),
    ]
    first = repo.list_tree("sb", "d", limit=4)
    assert [e.path for e in first.entries] == ["d/00.txt", "d/01.txt", "d/02.txt", "d/03.txt"]
    repo.commit_changes(
        "sb", [Change("d/00a.txt", b"new"), Change("d/05.txt", delete=True)], message="m"
    )
    rest = repo.list_tree("sb", "d", cursor=first.next_cursor, limit=100)
    assert rest.next_cursor is None
    assert [e.path for e in rest.entries][:2] == ["d/04.txt", "d/06.txt"]
    assert len(repo.list_tree("sb", recursive=True, limit=1000).entries) == 12
    with pytest.raises(PathNotFound, match="is a file"):
        repo.list_tree("sb", "README.md")
    with pytest.raises(InvalidInput):
        repo.list_tree("sb", limit=0)


def test_exports_are_complete() -> None:
    import draftroom.git as git

    public = {name for name in dir(git) if not name.startswith("_")}
    modules = {
        "branches", "bundle", "changeset", "collisions", "commits", "diff", "handle",
        "housekeeping", "locks", "log", "merge", "objects", "packs", "paths", "reading", "refs", "remote",
        "repository", "revert", "sizes", "snapshots", "trailers", "trees", "writing",
    }  # fmt: skip
    assert public - modules == set(exported)


def snapshot(work: Path) -> dict[str, bytes]:
    """Every file of the work tree and the index, byte for byte."""
    files = {
        str(p.relative_to(work)): p.read_bytes()
        for p in work.rglob("*")
        if p.is_file() and ".git/" not in str(p.relative_to(work)) + "/"
    }
    files["<index>"] = (work / ".git" / "index").read_bytes()
    files["<HEAD>"] = (work / ".git" / "HEAD").read_bytes()
    return files


def test_non_bare_repo_work_tree_index_and_checked_out_branch_stay_untouched(
    tmp_path: Path, git_cli: GitCli, fsck: Callable[[Path], None]
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    git_cli(work, "init", "-q", "-b", "main")
    (work / "tracked.txt").write_text("v1\n")
    git_cli(work, "add", "tracked.txt")
    git_cli(work, "commit", "-q", "-m", "init")
    main_head = git_cli(work, "rev-parse", "main").strip()
    (work / "tracked.txt").write_text("uncommitted edit\n")
    (work / "untracked.txt").write_text("scratch\n")
    before = snapshot(work)
    status = git_cli(work, "status", "--porcelain")

    repo = Repository.open(work)
    repo.create_branch("sandbox/ai")
    done = repo.commit_changes(
        "sandbox/ai", [Change("tracked.txt", b"from ai\n"), Change("new.txt", b"n")], message="ai"
    )
    with pytest.raises(BranchNotAllowed):
        repo.commit_changes("main", [Change("x", b"1")], message="m")
    with pytest.raises(BranchNotAllowed):
        repo.merge("sandbox/ai", "main", message="m")

    assert snapshot(work) == before
    assert git_cli(work, "status", "--porcelain") == status
    assert git_cli(work, "rev-parse", "main").strip() == main_head
    assert git_cli(work, "show", f"{done.sha}:tracked.txt") == "from ai\n"
    fsck(work)


def test_landed_reads_what_a_commit_changed_from_the_object_database(
    tmp_path: Path, git_cli: GitCli
) -> None:
    repo = Repository.init(tmp_path / "r.git")
    repo.create_branch("work")
    first = repo.commit_changes("work", [Change("a/x.md", b"x"), Change("b.md", b"b")], message="1")
    second = repo.commit_changes(
        "work", [Change("a/x.md", b"xx\n"), Change("b.md", delete=True)], message="2"
    )
    landed = {item.path: item for item in repo.landed(second.sha)}
    assert set(landed) == {"a/x.md", "b.md"}
    blob = git_cli(repo.path, "rev-parse", "work:a/x.md").strip()
    assert (landed["a/x.md"].blob_id, landed["a/x.md"].size) == (blob, 3)
    assert (landed["b.md"].blob_id, landed["b.md"].size) == (None, None)
    assert {item.path for item in repo.landed(first.sha)} == {"a/x.md", "b.md"}
    root = git_cli(repo.path, "rev-list", "--max-parents=0", "main").strip()
    assert [item.path for item in repo.landed(root)] == ["README.md"]  # no parent: all of it
