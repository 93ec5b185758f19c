"""Benchmark of the git engine: 3-file commits vs the git CLI, branch creation, file reads.

Not a test. Run ``.venv/bin/python bench/git_commit.py [--quick]``; prints a markdown table
and, as the last line, ``ratio=<ours/git-cli throughput> p50_ms=<ours p50>``.
Everything lives in a temporary directory on the default temp filesystem.

The machine is shared, so every measurement runs in ``ROUNDS`` interleaved rounds (ours, the
git CLI, the previous ref-update path, branches, reads, in alternating order): a burst of
load lands on all of them alike. p50 is the median of the per-round medians; p99 and
throughput are over all samples.
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
ROUNDS = 6
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


def git_cli_committer(root: Path, repo: Repository) -> Callable[[int], None]:
    """A function committing 3 files with the git CLI in a clone (warmed up)."""
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
    return commit


def interleaved(
    cases: dict[str, tuple[Callable[[int], object], int]],
) -> dict[str, list[list[float]]]:
    """Run each case's ``n`` calls split over ``ROUNDS`` rounds, alternating the order."""
    rounds: dict[str, list[list[float]]] = {name: [] for name in cases}
    done = dict.fromkeys(cases, 0)
    names = list(cases)
    for r in range(ROUNDS):
        for name in names if r % 2 == 0 else names[::-1]:
            fn, n = cases[name]
            share = n // ROUNDS
            start = done[name]
            rounds[name].append(timed(lambda i, fn=fn, start=start: fn(start + i), share))
            done[name] += share
    return rounds


def p50(rounds: list[list[float]]) -> float:
    """Median of the per-round medians: one slow round cannot move it much."""
    return statistics.median(statistics.median(r) for r in rounds)


def flat(rounds: list[list[float]]) -> list[float]:
    return [sample for r in rounds for sample in r]


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
        (300, 24, 2_400, 2_400, 50) if args.quick else (1_200, 60, 12_000, 6_000, 200)
    )
    with tempfile.TemporaryDirectory(prefix="draftroom-bench-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        repo = build(root)
        repo.create_branch("sandbox/bench")
        git_commit = git_cli_committer(root, repo)
        os.sync()  # flush the build and clone so their writeback does not skew our timings
        for i in range(WARMUP):
            repo.commit_changes("sandbox/bench", three_files(-1 - i), message="warm-up")
        rounds = interleaved(
            {
                "ours": (
                    lambda i: repo.commit_changes("sandbox/bench", three_files(i), message="c"),
                    ours_n,
                ),
                "git": (git_commit, git_n),
                "branches": (lambda i: repo.create_branch(f"sandbox/b{i}"), branches_n),
                "reads": (
                    lambda i: repo.read_file("sandbox/bench", three_files(i)[0].path),
                    reads_n,
                ),
            }
        )
        fsync_off = probe(repo.path, False, fsync_n)
        fsync_on = probe(repo.path, True, fsync_n)
        elapsed = time.perf_counter() - started

    ours, git = flat(rounds["ours"]), flat(rounds["git"])
    branches, reads = flat(rounds["branches"]), flat(rounds["reads"])
    ours_rate, git_rate = len(ours) / sum(ours), len(git) / sum(git)
    ratio = ours_rate / git_rate
    ms = 1e3
    rows = [
        (
            "3-file commit, draftroom.git",
            f"{ours_rate:,.0f}/s",
            f"{p50(rounds['ours']) * ms:.2f}",
            f"{percentile(ours, 0.99) * ms:.2f}",
        ),
        (
            "3-file commit, git CLI (add -A + commit)",
            f"{git_rate:,.1f}/s",
            f"{p50(rounds['git']) * ms:.2f}",
            f"{percentile(git, 0.99) * ms:.2f}",
        ),
        (
            f"create branch (x{branches_n:,})",
            f"{len(branches) / sum(branches):,.0f}/s",
            f"{p50(rounds['branches']) * ms:.3f}",
            f"{percentile(branches, 0.99) * ms:.3f}",
        ),
        (
            "read one file at a ref",
            f"{len(reads) / sum(reads):,.0f}/s",
            f"{p50(rounds['reads']) * ms:.3f}",
            f"{percentile(reads, 0.99) * ms:.3f}",
        ),
        ("3-file commit, fsync=False (subprocess)", "", f"{fsync_off:.2f}", ""),
        ("3-file commit, fsync=True (subprocess)", "", f"{fsync_on:.2f}", ""),
    ]
    print(
        f"Repository: {DIRS * FILES_PER_DIR:,} files in {DIRS} directories; "
        f"{platform.python_version()}, {os.cpu_count()} CPUs; {ROUNDS} interleaved rounds; "
        f"load average {os.getloadavg()[0]:.1f}; run took {elapsed:.1f} s\n"
    )
    print("| operation | throughput | p50 ms | p99 ms |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\nours/git-cli throughput ratio: {ratio:.1f}x")
    print(f"ratio={ratio:.1f} p50_ms={p50(rounds['ours']) * ms:.3f}")


if __name__ == "__main__":
    main()
