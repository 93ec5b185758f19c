"""Benchmark of the git engine: 3-file commits vs the git CLI, branch creation, file reads.

Not a test. Run ``.venv/bin/python bench/git_commit.py [--quick]``; prints a markdown table
and, as the last line, ``ratio=<ours/git-cli throughput> p50_ms=<ours p50>``.
Everything lives in a temporary directory on the default temp filesystem.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from draftroom.git import Change, Repository

DIRS, FILES_PER_DIR = 50, 100
WARMUP, GIT_WARMUP = 50, 3
GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@localhost",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@localhost",
}


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(fn: Callable[[int], object], n: int) -> list[float]:
    samples = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - start)
    return samples


def three_files(i: int) -> list[Change]:
    return [
        Change(
            f"d{(i + k * 17) % DIRS:02}/f{(i * 7 + k) % FILES_PER_DIR:03}.txt", b"v%d %d\n" % (i, k)
        )
        for k in range(3)
    ]


def build(root: Path) -> Repository:
    repo = Repository.init(root / "ours.git")
    files = [
        Change(f"d{d:02}/f{f:03}.txt", b"line %d %d\n" % (d, f) * 20)
        for d in range(DIRS)
        for f in range(FILES_PER_DIR)
    ]
    repo.commit_changes("main", files, message="5,000 files")
    return repo


def git_cli_commits(root: Path, repo: Repository, n: int) -> list[float]:
    work = root / "work"
    subprocess.run(["git", "clone", "-q", str(repo.path), str(work)], check=True, env=GIT_ENV)

    def commit(i: int) -> None:
        i += GIT_WARMUP
        for change in three_files(i):
            assert change.data is not None
            (work / change.path).write_bytes(change.data)
        subprocess.run(
            f"git add -A && git commit -q -m 'commit {i}'",
            shell=True,
            cwd=work,
            check=True,
            env=GIT_ENV,
        )

    for i in range(GIT_WARMUP):
        commit(i - GIT_WARMUP)
    return timed(commit, n)


def fsync_probe(gitdir: str, fsync: bool, n: int) -> None:
    """Child-process entry: commit ``n`` times with the given fsync setting, print p50 ms."""
    repo = Repository.open(gitdir, fsync=fsync)
    branch = f"fsync-{fsync}"
    repo.create_branch(branch)
    samples = timed(lambda i: repo.commit_changes(branch, three_files(i), message="f"), n)
    print(f"{statistics.median(samples) * 1e3:.3f}")


def probe(gitdir: Path, fsync: bool, n: int) -> float:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--probe",
            str(gitdir),
            "--fsync",
            str(int(fsync)),
            "-n",
            str(n),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--probe")
    parser.add_argument("--fsync", type=int, default=0)
    parser.add_argument("-n", type=int, default=100)
    args = parser.parse_args()
    if args.probe:
        fsync_probe(args.probe, bool(args.fsync), args.n)
        return
    ours_n, git_n, branches_n, reads_n, fsync_n = (
        (200, 20, 2_000, 2_000, 50) if args.quick else (1_000, 50, 10_000, 5_000, 200)
    )
    with tempfile.TemporaryDirectory(prefix="draftroom-bench-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        repo = build(root)
        repo.create_branch("sandbox/bench")
        git = git_cli_commits(root, repo, git_n)
        os.sync()  # flush the build and clone so their writeback does not skew our timings
        for i in range(WARMUP):
            repo.commit_changes("sandbox/bench", three_files(-1 - i), message="warm-up")
        ours = timed(
            lambda i: repo.commit_changes("sandbox/bench", three_files(i), message="c"), ours_n
        )
        reads = timed(lambda i: repo.read_file("sandbox/bench", three_files(i)[0].path), reads_n)
        branches = timed(lambda i: repo.create_branch(f"sandbox/b{i}"), branches_n)
        fsync_off = probe(repo.path, False, fsync_n)
        fsync_on = probe(repo.path, True, fsync_n)
        elapsed = time.perf_counter() - started

    ours_rate, git_rate = len(ours) / sum(ours), len(git) / sum(git)
    ratio = ours_rate / git_rate
    ms = 1e3
    rows = [
        (
            "3-file commit, draftroom.git",
            f"{ours_rate:,.0f}/s",
            f"{percentile(ours, 0.5) * ms:.2f}",
            f"{percentile(ours, 0.99) * ms:.2f}",
        ),
        (
            "3-file commit, git CLI (add -A + commit)",
            f"{git_rate:,.1f}/s",
            f"{percentile(git, 0.5) * ms:.2f}",
            f"{percentile(git, 0.99) * ms:.2f}",
        ),
        (
            f"create branch (x{branches_n:,})",
            f"{len(branches) / sum(branches):,.0f}/s",
            f"{percentile(branches, 0.5) * ms:.3f}",
            f"{percentile(branches, 0.99) * ms:.3f}",
        ),
        (
            "read one file at a ref",
            f"{len(reads) / sum(reads):,.0f}/s",
            f"{percentile(reads, 0.5) * ms:.3f}",
            f"{percentile(reads, 0.99) * ms:.3f}",
        ),
        ("3-file commit, fsync=False (subprocess)", "", f"{fsync_off:.2f}", ""),
        ("3-file commit, fsync=True (subprocess)", "", f"{fsync_on:.2f}", ""),
    ]
    print(
        f"Repository: {DIRS * FILES_PER_DIR:,} files in {DIRS} directories; "
        f"{platform.python_version()}, {os.cpu_count()} CPUs; run took {elapsed:.1f} s\n"
    )
    print("| operation | throughput | p50 ms | p99 ms |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\nours/git-cli throughput ratio: {ratio:.1f}x")
    print(f"ratio={ratio:.1f} p50_ms={percentile(ours, 0.5) * ms:.3f}")


if __name__ == "__main__":
    main()
