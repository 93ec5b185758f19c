"""Many writers, one repository: threads and OS processes must never lose or tear a commit."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from draftroom.git import Change, Repository

COMMITS = 12


def commit_many(gitdir: str, branch: str, tag: str, count: int = COMMITS) -> list[str]:
    """Commit ``count`` disjoint files to ``branch``; return the acknowledged shas."""
    repo = Repository.open(gitdir)
    shas = []
    for i in range(count):
        result = repo.commit_changes(
            branch, [Change(f"{tag}/{i}.txt", f"{tag} {i}\n".encode())], message=f"{tag} {i}"
        )
        shas.append(result.sha)
    return shas


def commit_with_stale_heads(gitdir: str, branch: str, tag: str) -> list[str]:
    """Commit with the head read before the lock, as a remote client would: rebases happen."""
    repo = Repository.open(gitdir)
    shas = []
    for i in range(COMMITS):
        seen = repo.head(branch)
        change = Change(f"{tag}/{i}.txt", b"x")
        shas.append(repo.commit_changes(branch, [change], message="m", expected_head=seen).sha)
    return shas


def check(repo: Repository, branch: str, shas: list[str], fsck: Callable[[Path], None]) -> None:
    assert all(repo.is_ancestor(sha, branch) for sha in shas)
    history = repo.log(branch, limit=1000).commits
    assert len(history) == len(set(shas)) + 1 == len(shas) + 1
    fsck(repo.path)


def run_threads(target: Callable[..., list[str]], jobs: list[tuple[str, ...]]) -> list[str]:
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def run(*args: str) -> None:
        try:
            results.append(target(*args))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return [sha for shas in results for sha in shas]


def test_threads_committing_to_one_branch_lose_nothing(
    repo: Repository, fsck: Callable[[Path], None]
) -> None:
    repo.create_branch("shared")
    gitdir = str(repo.path)
    shas = run_threads(commit_many, [(gitdir, "shared", f"t{i}") for i in range(4)])
    check(repo, "shared", shas, fsck)


def test_threads_sharing_one_repository_object(
    repo: Repository, fsck: Callable[[Path], None]
) -> None:
    repo.create_branch("shared")

    def work(tag: str) -> list[str]:
        return [
            repo.commit_changes("shared", [Change(f"{tag}/{i}", b"1")], message="m").sha
            for i in range(COMMITS)
        ]

    shas = run_threads(work, [(f"t{i}",) for i in range(4)])
    check(repo, "shared", shas, fsck)


def test_threads_with_stale_expected_heads_rebase_disjoint_changes(
    repo: Repository, fsck: Callable[[Path], None]
) -> None:
    repo.create_branch("shared")
    shas = run_threads(
        commit_with_stale_heads, [(str(repo.path), "shared", f"t{i}") for i in range(3)]
    )
    check(repo, "shared", shas, fsck)


def test_threads_on_different_branches(repo: Repository, fsck: Callable[[Path], None]) -> None:
    for i in range(3):
        repo.create_branch(f"sb/{i}")
    jobs = [(str(repo.path), f"sb/{i}", f"t{i}") for i in range(3)]
    run_threads(commit_many, jobs)
    for i in range(3):
        assert len(repo.log(f"sb/{i}").commits) == COMMITS + 1
    fsck(repo.path)


@pytest.mark.slow
def test_processes_committing_to_shared_and_own_branches(
    repo: Repository, fsck: Callable[[Path], None]
) -> None:
    repo.create_branch("shared")
    for i in range(3):
        repo.create_branch(f"p/{i}")
    gitdir = str(repo.path)
    jobs = [(gitdir, "shared", f"p{i}") for i in range(3)]
    jobs += [(gitdir, f"p/{i}", f"own{i}") for i in range(3)]
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        results = pool.starmap(commit_many, jobs)
    check(repo, "shared", [sha for shas in results[:3] for sha in shas], fsck)
    for i, shas in enumerate(results[3:]):
        assert all(repo.is_ancestor(sha, f"p/{i}") for sha in shas)
        assert len(repo.log(f"p/{i}").commits) == COMMITS + 1


KILL_SCRIPT = """
import sys
from draftroom.git import Change, Repository
repo = Repository.open(sys.argv[1])
i = 0
while True:
    change = Change(f"k/{sys.argv[2]}/{i}", b"x" * i)
    sha = repo.commit_changes("shared", [change], message=f"k {i}").sha
    print(sha, flush=True)
    i += 1
"""


@pytest.mark.slow
def test_acknowledged_commits_survive_kill_9(
    repo: Repository, fsck: Callable[[Path], None]
) -> None:
    repo.create_branch("shared")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", KILL_SCRIPT, str(repo.path), str(n)],
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        for n in range(2)
    ]
    acknowledged: list[str] = []
    for writer in writers:  # killed mid-stream: once each has acknowledged 20 commits
        assert writer.stdout is not None
        acknowledged += [writer.stdout.readline().strip() for _ in range(20)]
    assert all(len(sha) == 40 for sha in acknowledged), "a writer died before it wrote"
    for writer in writers:
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate()
        acknowledged.extend(line for line in out.splitlines() if len(line) == 40)
    assert acknowledged
    assert all(repo.is_ancestor(sha, "shared") for sha in acknowledged)
    fsck(repo.path)
