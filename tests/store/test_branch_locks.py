"""Branch locks across nodes: PostgreSQL advisory locks exclude writers of one branch on any
node, leave other branches alone, and die with the process that held them."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from draftroom.git import Change, Repository, SweptLocks
from draftroom.store import AdvisoryBranchLocks, Database, branch_lock_key

pytestmark = pytest.mark.postgres
WAIT = 10.0


@pytest.fixture
def nodes(postgres_schema_url: str) -> Iterator[tuple[AdvisoryBranchLocks, AdvisoryBranchLocks]]:
    """Two processes' worth of locks: separate engines, separate connections."""
    a, b = AdvisoryBranchLocks(postgres_schema_url), AdvisoryBranchLocks(postgres_schema_url)
    yield a, b
    a.dispose()
    b.dispose()


def acquire_in_thread(locks: AdvisoryBranchLocks, gitdir: Path, branch: str) -> threading.Event:
    """Set once ``locks`` held ``branch`` in another thread and let it go again."""
    acquired = threading.Event()

    def hold() -> None:
        with locks.hold(gitdir, branch):
            pass
        acquired.set()

    threading.Thread(target=hold, daemon=True).start()
    return acquired


def in_thread(body: Callable[[], None]) -> threading.Event:
    done = threading.Event()

    def run() -> None:
        try:
            body()
        finally:
            done.set()

    threading.Thread(target=run, daemon=True).start()
    return done


def test_a_branch_held_on_one_node_waits_on_the_other_until_released(
    nodes: tuple[AdvisoryBranchLocks, AdvisoryBranchLocks], tmp_path: Path
) -> None:
    first, second = nodes
    with first.hold(tmp_path, "sandbox/a"):
        acquired = acquire_in_thread(second, tmp_path, "sandbox/a")
        assert not acquired.wait(0.5)
        with second.hold(tmp_path, "sandbox/b"):  # another branch is free meanwhile
            pass
    assert acquired.wait(WAIT)


def test_the_same_branch_of_another_repository_is_another_lock(tmp_path: Path) -> None:
    assert branch_lock_key(tmp_path / "a.git", "main") != branch_lock_key(
        tmp_path / "b.git", "main"
    )
    assert branch_lock_key(tmp_path / "a.git", "main") == branch_lock_key(
        tmp_path / "a.git", "main"
    )


HOLDER = """
import sys, time
from pathlib import Path
from draftroom.store import AdvisoryBranchLocks
locks = AdvisoryBranchLocks(sys.argv[1])
with locks.hold(Path(sys.argv[2]), "main"):
    print("held", flush=True)
    time.sleep(600)
"""


def test_a_node_killed_while_holding_a_lock_releases_it(
    postgres_schema_url: str, nodes: tuple[AdvisoryBranchLocks, AdvisoryBranchLocks], tmp_path: Path
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, postgres_schema_url, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        acquired = acquire_in_thread(nodes[0], tmp_path, "main")
        assert not acquired.wait(0.5)
        holder.send_signal(signal.SIGKILL)
        assert acquired.wait(WAIT)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()  # type: ignore[union-attr]


def test_a_commit_waits_for_its_branch_held_on_another_node(
    nodes: tuple[AdvisoryBranchLocks, AdvisoryBranchLocks], tmp_path: Path
) -> None:
    other, ours = nodes
    repo = Repository.init(tmp_path / "r.git", locks=SweptLocks(ours))
    with other.hold(repo.path, "main"):
        landed = in_thread(lambda: repo.commit_changes("main", [Change("b", b"b")], message="b"))
        assert not landed.wait(0.5)
    assert landed.wait(WAIT)


def test_writers_on_two_nodes_with_stale_heads_lose_no_commit(
    nodes: tuple[AdvisoryBranchLocks, AdvisoryBranchLocks], tmp_path: Path
) -> None:
    gitdir = Repository.init(tmp_path / "r.git").path
    repos = [Repository.open(gitdir, locks=SweptLocks(locks)) for locks in nodes]
    shas: list[str] = []

    def write(repo: Repository, tag: str) -> None:
        for i in range(10):
            seen = repo.head("main")
            change = Change(f"{tag}/{i}", tag.encode())
            shas.append(repo.commit_changes("main", [change], message=tag, expected_head=seen).sha)

    jobs = [(repo, f"{n}{t}") for n, repo in enumerate(repos) for t in ("x", "y")]
    done = [in_thread(lambda r=r, t=t: write(r, t)) for r, t in jobs]
    assert all(event.wait(60) for event in done)
    assert len(shas) == 40
    assert all(repos[0].is_ancestor(sha, "main") for sha in shas)
    assert len(repos[0].log("main", limit=100).commits) == 41


def test_services_on_postgresql_lock_branches_across_nodes(postgres_schema_url: str) -> None:
    database = Database(postgres_schema_url)
    assert isinstance(database.branch_locks, AdvisoryBranchLocks)
