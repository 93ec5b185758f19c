"""Benchmark of the project workspace over HTTP: memory query and add at 100/1,000/10,000 entries.

Not a test. Run ``.venv/bin/python bench/workspace.py [--quick]``; prints a markdown table.
The real app (``create_app``) is driven through Starlette's TestClient, so each figure is a
whole request: API-key check, reuse-token check, git read, parse cache, audit row, and for
adds the commit. ``memory.yaml`` is built directly with the git engine, then parsed once
(the first query, reported apart) before the timed loop. A restart is simulated by emptying
the process's parse cache (``parse_cache(repo).clear()``): the disk cache under the git dir stays,
as it does when a server restarts. Everything lives in a temporary directory on the default
temp filesystem.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import yaml
from fastapi.testclient import TestClient

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.config import Settings
from draftroom.domain.access import issue_api_key
from draftroom.domain.calls import Services
from draftroom.domain.commits import changes
from draftroom.domain.repos import setup_default
from draftroom.domain.workspace import MEMORY_FILE, parse_cache
from draftroom.git import Change, Repository

WORDS = [
    *("deploy", "staging", "key", "parser", "importer"),
    *("schema", "token", "cache", "branch", "review"),
]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def memory_file(n: int) -> bytes:
    entries = [
        {
            "id": f"m-{i:08x}",
            "at": f"2026-01-{1 + i % 28:02}T{i % 24:02}:00:00+00:00",
            "kind": "note",
            "tags": [WORDS[i % 10], WORDS[(i * 7) % 10]],
            "text": f"Entry {i}: the {WORDS[i % 10]} step needs the {WORDS[(i * 3) % 10]} first",
        }
        for i in range(n)
    ]
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    body: str = yaml.dump(entries, Dumper=dumper, sort_keys=False, width=100)
    return b"# Project memory (benchmark).\n" + body.encode()


def since(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def timed(fn: Callable[[int], Any], n: int) -> list[float]:
    samples = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


@contextmanager
def spent(owner: Any, name: str, samples: list[float]) -> Iterator[None]:
    """Time every call of ``owner.name`` into ``samples`` (ms) while inside the block."""
    original = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            samples.append((time.perf_counter() - start) * 1000)

    setattr(owner, name, wrapper)
    try:
        yield
    finally:
        setattr(owner, name, original)


def run(sizes: list[int], queries: int, adds: int) -> list[tuple[int, str, list[float]]]:
    rows: list[tuple[int, str, list[float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", max_commits_per_minute=1_000_000)
        services = Services(settings)
        setup_default(services)
        with services.database.session() as session:
            org = store.get_or_create_org(session, settings.org)
            _, key = issue_api_key(session, org.id, "agent")
        headers = {"Authorization": f"Bearer {key}"}
        repo = services.git(settings.repos_dir / "demo.git")
        with TestClient(create_app(settings, services)) as client:

            def post(route: str, **body: Any) -> dict[str, Any]:
                response = client.post(route, json=body, headers=headers)
                assert response.status_code in (200, 201), response.text
                data: dict[str, Any] = response.json()
                return data

            for n in sizes:
                init = post("/sandbox/init", repo_name="demo", mode="branch")
                sb = {"repo_name": "demo", "reuse_token": init["reuse_token"]}
                repo.commit_changes(
                    init["branch"], [Change(MEMORY_FILE, memory_file(n))], message="bench"
                )
                start = time.perf_counter()
                first = post("/memory/query", **sb, limit=20)
                rows.append((n, "first query, never parsed (parses the file)", [since(start)]))
                assert first["total"] == n
                parse_cache(repo).clear()
                start = time.perf_counter()
                again = post("/memory/query", **sb, limit=20)
                rows.append((n, "first query after restart (disk cache)", [since(start)]))
                assert again == first
                rows.append(
                    (
                        n,
                        "query page (limit 20, words + tag)",
                        timed(
                            lambda i, sb=sb: post(
                                "/memory/query", **sb, q=WORDS[i % 10], tags=[WORDS[(i * 7) % 10]]
                            ),
                            queries,
                        ),
                    )
                )
                rows.append(
                    (
                        n,
                        "query page (limit 20, no filter)",
                        timed(lambda i, sb=sb: post("/memory/query", **sb), queries),
                    )
                )
                checks: list[float] = []
                commits: list[float] = []
                with (
                    spent(changes, "check_commit", checks),
                    spent(Repository, "commit_changes", commits),
                ):
                    add_samples = timed(
                        lambda i, sb=sb: post(
                            "/memory/add", **sb, text=f"bench note {i}", tags=["bench"]
                        ),
                        adds,
                    )
                rows.append((n, "add", add_samples))
                rows.append((n, "… of which commit checks (limits, secret scan)", checks))
                rows.append((n, "… of which the git commit (blob, trees, ref)", commits))
                parse_cache(repo).clear()
                start = time.perf_counter()
                post("/memory/query", **sb, limit=20)
                rows.append((n, "first query after the adds and a restart", [since(start)]))
                last = post("/memory/query", **sb, tags=["bench"], limit=1)
                assert (
                    last["total"] == adds and last["items"][0]["text"] == f"bench note {adds - 1}"
                )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    args = parser.parse_args()
    queries, adds = (30, 20) if args.quick else (200, 100)
    rows = run([100, 1_000, 10_000], queries, adds)
    print(
        f"Python {platform.python_version()}, {platform.machine()}, {queries} queries, {adds} adds"
    )
    print("| entries | operation | p50 ms | p90 ms | samples |")
    print("|---|---|---|---|---|")
    for n, what, samples in rows:
        p50 = statistics.median(samples)
        p90 = percentile(samples, 0.9)
        print(f"| {n:,} | {what} | {p50:.2f} | {p90:.2f} | {len(samples)} |")


if __name__ == "__main__":
    main()
