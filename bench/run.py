"""The benchmark entry point: git store, HTTP load, growth and the console pages.

Not a test. Run ``./dev bench`` (or ``.venv/bin/python bench/run.py``): about 4 minutes on a
2-core machine; ``--quick`` takes about two minutes (shorter runs, fewer samples). It runs

1. ``bench/git_commit.py``: the git engine against the git command line, one process;
2. ``bench/load.py``: ``draftroom serve --workers 2`` under 16 concurrent clients (a mix of
   reads, commits and memory queries, then commits only), and the same commit stream against
   one clone per client with ``git add -A && git commit``; every acknowledged commit checked;
3. ``bench/growth.py``: latencies at 100 / 1,000 / 10,000 sandboxes and memory entries and at
   500 / 5,000 / 50,000 files;
4. ``bench/console.py``: the console's pages at 10,000 sandboxes, signed in over HTTP
   (``./dev bench console`` runs it alone and only prints);

checks the figures against the targets, and writes them to ``docs/benchmarks.md`` between
``<!-- bench:run start -->`` and ``<!-- bench:run end -->`` (the rest of the file is kept).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import console
import growth
import load
from git_commit import percentile

BENCH = Path(__file__).resolve().parent
DOC = BENCH.parent / "docs" / "benchmarks.md"
START, END = "<!-- bench:run start -->", "<!-- bench:run end -->"


@dataclass
class Target:
    what: str
    goal: str
    measured: str
    met: bool


def machine() -> str:
    """Cores, memory, CPU model, Python, pygit2/libgit2, date and the load when we started."""
    import pygit2

    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem = re.search(r"MemTotal:\s+(\d+) kB", meminfo)
    memory = f"{int(mem.group(1)) / 2**20:.1f} GiB" if mem else "unknown memory"
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    load1, load5, _ = os.getloadavg()
    return (
        f"{os.cpu_count()} cores ({model.group(1).strip() if model else platform.machine()}), "
        f"{memory}, {platform.system()} {platform.release()}, Python "
        f"{platform.python_version()}, pygit2 {pygit2.__version__} / libgit2 "
        f"{pygit2.LIBGIT2_VERSION}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average "
        f"{load1:.1f} (1 min), {load5:.1f} (5 min) at the start"
    )


def git_store(quick: bool) -> str:
    """``bench/git_commit.py``'s table, run as its own process."""
    command = [sys.executable, str(BENCH / "git_commit.py"), *(["--quick"] if quick else [])]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return out.strip()


def targets(
    report: load.LoadReport, rows: list[growth.Row], pages: list[console.Result]
) -> list[Target]:
    commits = report.commits.latencies.get("git.commit", [])
    alone = report.single[1].latencies.get("git.commit", [])
    reads_rate = report.mixed.rate("files.read")
    p50 = percentile(commits, 0.5) * 1e3 if commits else float("inf")
    p50_alone = percentile(alone, 0.5) * 1e3 if alone else float("inf")
    errors = len(report.errors())
    acked = sum(len(run.acked) for run in (*report.single, report.mixed, report.commits))
    timed = [page for page in pages if page.samples]
    slowest = max((page.p50 for page in timed), default=float("inf"))
    sandbox_rows = [r for r in rows if r.dimension == "sandboxes"]
    worst = max(
        (
            row.p50 / next(r for r in sandbox_rows if r.operation == row.operation).p50
            for row in sandbox_rows
        ),
        default=0.0,
    )
    return [
        Target(
            "`/git/commit` p50, end to end, one client alone",
            "≤ 10 ms",
            f"{p50_alone:.1f} ms",
            p50_alone <= 10,
        ),
        Target(
            f"`/git/commit` p50, end to end, {report.clients} clients at once",
            "≤ 10 ms",
            f"{p50:.1f} ms",
            p50 <= 10,
        ),
        Target(
            f"commits/s, {report.clients} sandboxes, {report.workers} workers",
            "≥ 200/s",
            f"{report.commits.rate('git.commit'):,.0f}/s",
            report.commits.rate("git.commit") >= 200,
        ),
        Target(
            "commit throughput vs a clone per client",
            "≥ 10x",
            f"{report.ratio:.1f}x",
            report.ratio >= 10,
        ),
        Target(
            "`/files/read` requests/s (in the mix)",
            "≥ 1,000/s",
            f"{reads_rate:,.0f}/s",
            reads_rate >= 1000,
        ),
        Target("errors", "0", str(errors), errors == 0),
        Target(
            "acknowledged commits lost",
            "0",
            f"{len(report.lost)} of {acked:,}",
            not report.lost,
        ),
        Target(
            "sandbox costs at 10,000 vs 100 sandboxes",
            "flat (< 2x)",
            f"{worst:.2f}x at most",
            worst < 2,
        ),
        Target(
            f"console pages p50 at 10,000 sandboxes ({len(timed)} measured)",
            "≤ 100 ms",
            f"{slowest:.1f} ms at most",
            slowest <= console.TARGET_MS,
        ),
    ]


def section(
    quick: bool,
    host: str,
    git: str,
    report: load.LoadReport,
    rows: list[growth.Row],
    pages: list[console.Result],
    goals: list[Target],
    seconds: float,
) -> str:
    command = "./dev bench" + (" --quick" if quick else "")
    lines = [
        START,
        "## Whole benchmark (bench/run.py)",
        "",
        f"Run: `./dev bench` (about 4 minutes; `./dev bench --quick` about two minutes). This run: "
        f"`{command}`, {seconds:.0f} s.",
        f"Machine: {host}.",
        "",
        "### Targets",
        "",
        "| target | goal | measured | |",
        "|---|---|---|---|",
        *(
            f"| {t.what} | {t.goal} | {t.measured} | {'met' if t.met else '**missed**'} |"
            for t in goals
        ),
        "",
        "### HTTP load: draftroom vs a clone per client (bench/load.py)",
        "",
        report.tables(),
        "",
        "### Growth (bench/growth.py)",
        "",
        growth.table(rows),
        "",
        "### Console pages (bench/console.py)",
        "",
        console.table(pages),
        "",
        "### Git store (bench/git_commit.py" + (" --quick" if quick else "") + ")",
        "",
        git,
        END,
    ]
    return "\n".join(lines)


def write_doc(text: str) -> None:
    """Replace our section of docs/benchmarks.md (or append it), keeping everything else."""
    doc = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if START in doc and END in doc:
        before, rest = doc.split(START, 1)
        after = rest.split(END, 1)[1]
        doc = before + text + after
    else:
        doc = doc.rstrip("\n") + "\n\n" + text + "\n"
    DOC.write_text(doc)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Run every benchmark and write docs/benchmarks.md (about 4 minutes)."
    )
    parser.add_argument(
        "only",
        nargs="?",
        choices=["console", "nodes"],
        help="run this benchmark alone and print its table (console: docs/ untouched; "
        "nodes: also writes its section of docs/benchmarks.md)",
    )
    parser.add_argument("--quick", action="store_true", help="shorter runs, about two minutes")
    parser.add_argument("--clients", type=int, default=16, help="concurrent HTTP clients (16)")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (2)")
    parser.add_argument(
        "--seconds", type=float, help="length of each timed HTTP run (20; 4 with --quick)"
    )
    parser.add_argument(
        "--no-write", action="store_true", help="print the results, leave docs/ alone"
    )
    args = parser.parse_args(argv)
    if args.only == "nodes":
        import nodes

        nodes.main(["--seconds", str(args.seconds or 20.0), *(["--no-write"] * args.no_write)])
        return
    if args.only == "console":
        print(f"machine: {machine()}", flush=True)
        console.main([])
        return
    seconds = args.seconds or (4.0 if args.quick else 20.0)
    started = time.perf_counter()
    host = machine()
    print(f"machine: {host}", flush=True)
    print("1/4 git store (bench/git_commit.py) ...", flush=True)
    git = git_store(args.quick)
    print(f"2/4 growth (bench/growth.py) ... [{time.perf_counter() - started:.0f} s]", flush=True)
    rows = growth.run_growth(args.quick)
    print(f"3/4 HTTP load (bench/load.py) ... [{time.perf_counter() - started:.0f} s]", flush=True)
    report = load.run_load(args.clients, seconds, args.workers)
    print(f"4/4 console (bench/console.py) ... [{time.perf_counter() - started:.0f} s]", flush=True)
    pages = console.run_console(20 if args.quick else 50)
    goals = targets(report, rows, pages)
    elapsed = time.perf_counter() - started
    text = section(args.quick, host, git, report, rows, pages, goals, elapsed)
    print(text)
    for problem in report.problems()[:50]:
        print("problem:", problem)
    if not args.no_write:
        write_doc(text)
        print(f"written to {DOC}")


if __name__ == "__main__":
    main()
