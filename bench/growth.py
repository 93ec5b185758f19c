"""How costs grow: with the number of sandboxes, memory entries, and files in a repository.

Not a test. Run ``.venv/bin/python bench/growth.py [--quick]``; prints a markdown table with
one row per size and the growth factor from the smallest to the largest size.

- Sandboxes: 100, 1,000 and 10,000 existing sandboxes (each a branch, a database row and a
  reuse token, created directly through the store and the git engine, not over HTTP), then
  ``sandbox.init`` (a new sandbox) and the token check (``files.read`` and
  ``sandbox.status``) through the same path an HTTP request takes: API-key check, then
  ``Registry.invoke`` (scope, reuse token, tool, audit row), minus the HTTP framing.
- Memory: ``memory.query`` p50 at 100, 1,000 and 10,000 entries, measured by
  ``bench/workspace.py`` (the real app through Starlette's TestClient).
- Repository size: 3-file commits with the git engine on repositories of 500, 5,000 and
  50,000 files (100 files per directory).
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pygit2
from sqlalchemy import insert, select

from draftroom import store
from draftroom.config import Settings
from draftroom.domain.access import (
    authenticate_api_key,
    hash_secret,
    issue_api_key,
    new_branch_name,
    new_credential_id,
)
from draftroom.domain.calls import Principal, Services
from draftroom.domain.repos import register_repository
from draftroom.git import Change, Repository
from draftroom.store.models import ReuseToken, Sandbox
from draftroom.store.timestamps import utc_now
from draftroom.tools import build_registry
from git_commit import percentile

SANDBOXES = (100, 1_000, 10_000)
MEMORY_ENTRIES = (100, 1_000, 10_000)
REPO_FILES = (500, 5_000, 50_000)
FILES_PER_DIR = 100


@dataclass
class Row:
    dimension: str
    size: int
    operation: str
    samples: list[float]  # seconds

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)


def timed(fn: Callable[[int], object], n: int) -> list[float]:
    samples = []
    for i in range(n):
        started = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - started)
    return samples


class InProcess:
    """Tool calls as the HTTP adapter makes them, without the HTTP framing."""

    def __init__(self, services: Services, api_key: str) -> None:
        self.services = services
        self.api_key = api_key
        self.registry = build_registry()

    def call(self, tool: str, **payload: Any) -> Any:
        with self.services.database.session() as session:
            key = authenticate_api_key(session, self.api_key)
            who = Principal(api_key_id=key.id, org_id=key.org_id, role=key.role)
        return self.registry.invoke(self.registry.get(tool), self.services, who, payload)


def add_sandboxes(services: Services, repo: Repository, repo_id: int, key_id: str, n: int) -> None:
    """``n`` more sandboxes, each a branch off main, a sandbox row and a live reuse token.

    Rows go in with two bulk inserts (what ``store.add_sandbox`` and ``issue_reuse_token``
    write, minus one flush per row); branches are loose refs, as ``create_branch`` leaves
    them, so the refs directory is as full as a long-running server's.
    """
    now = utc_now()
    with services.database.session() as session:
        taken = set(repo.list_branches("sandbox-"))
        branches = []
        for _ in range(n):
            branch = new_branch_name(taken.__contains__)
            taken.add(branch)
            branches.append(branch)
        session.execute(
            insert(Sandbox),
            [
                {"repository_id": repo_id, "branch": b, "created_by_key_id": key_id}
                for b in branches
            ],
        )
        ids = session.scalars(
            select(Sandbox.id).where(Sandbox.repository_id == repo_id, Sandbox.branch.in_(branches))
        ).all()
        session.execute(
            insert(ReuseToken),
            [
                {
                    "id": new_credential_id(),
                    "sandbox_id": sandbox_id,
                    "secret_hash": hash_secret(secrets.token_urlsafe(32)),
                    "expires_at": now + timedelta(days=30),
                }
                for sandbox_id in ids
            ],
        )
    main = repo.head("main")
    for branch in branches:
        repo.create_branch(branch, main)


def interleaved(
    calls: dict[tuple[int, str], Callable[[int], object]], samples: int
) -> dict[tuple[int, str], list[float]]:
    """Time every call round-robin, so a neighbour's burst of load hits every size alike."""
    times: dict[tuple[int, str], list[float]] = {key: [] for key in calls}
    for i in range(samples):
        for key, fn in calls.items():
            started = time.perf_counter()
            fn(i)
            times[key].append(time.perf_counter() - started)
    return times


def sandbox_world(root: Path, size: int) -> InProcess:
    """A data dir with one repository holding ``size`` sandboxes, and an agent key for it."""
    settings = Settings(
        data_dir=root / f"sandboxes-{size}",
        max_commits_per_minute=10**9,
        max_sandboxes_per_key=10**9,  # one key holds every sandbox here
    )
    settings.data_dir.mkdir(parents=True)
    services = Services(settings)
    services.database.migrate()
    with services.database.session() as session:
        org = store.get_or_create_org(session, settings.org)
        record = register_repository(services, session, org.id, "demo")
        key, plaintext = issue_api_key(session, org.id, "agent", label="growth")
        repo_id, key_id = record.id, key.id
    add_sandboxes(services, services.git(record.path), repo_id, key_id, size)
    return InProcess(services, plaintext)


def sandbox_growth(root: Path, samples: int) -> list[Row]:
    calls: dict[tuple[int, str], Callable[[int], object]] = {}
    worlds = []
    for size in SANDBOXES:
        app = sandbox_world(root, size)
        worlds.append(app)
        body = {
            "repo_name": "demo",
            "reuse_token": app.call("sandbox.init", repo_name="demo").reuse_token,
        }
        calls[size, "sandbox.init (new sandbox)"] = lambda i, a=app: a.call(
            "sandbox.init", repo_name="demo"
        )
        calls[size, "files.read (token check + read)"] = lambda i, a=app, b=body: a.call(
            "files.read", **b, path="README.md"
        )
        calls[size, "sandbox.status (token check + ahead/behind)"] = lambda i, a=app, b=body: (
            a.call("sandbox.status", **b)
        )
    times = interleaved(calls, samples)
    for app in worlds:
        app.services.database.dispose()
    return [Row("sandboxes", size, what, samples) for (size, what), samples in times.items()]


def memory_growth(queries: int) -> list[Row]:
    """``memory.query`` p50 from ``bench/workspace.py`` (the workspace benchmark's own loop)."""
    import workspace

    rows = []
    for n, what, samples in workspace.run(list(MEMORY_ENTRIES), queries, 1):
        if what.startswith("query page"):
            rows.append(
                Row(
                    "memory entries",
                    n,
                    what.replace("query page", "memory.query"),
                    [s / 1e3 for s in samples],
                )
            )
    return rows


def build_files(path: Path, files: int) -> Repository:
    """A repository whose ``main`` holds ``files`` files, 100 per directory.

    Built with pygit2 directly (100 blobs, one tree per directory, one commit): a 50,000-file
    ``commit_changes`` would spend most of this benchmark validating paths it then throws
    away; what is measured afterwards is ``commit_changes`` on top of it.
    """
    repo = Repository.init(path)
    raw = pygit2.Repository(str(repo.path))
    blobs = [raw.create_blob(b"line %d\n" % f * 20) for f in range(FILES_PER_DIR)]
    root = raw.TreeBuilder()
    for d in range(files // FILES_PER_DIR):
        directory = raw.TreeBuilder()
        for f, blob in enumerate(blobs):
            directory.insert(f"f{f:03}.txt", blob, pygit2.enums.FileMode.BLOB)
        root.insert(f"d{d:03}", directory.write(), pygit2.enums.FileMode.TREE)
    who = pygit2.Signature("bench", "bench@localhost")
    parent = raw.references["refs/heads/main"].target
    raw.create_commit("refs/heads/main", who, who, f"{files:,} files", root.write(), [parent])
    raw.free()
    return repo


def repository_growth(root: Path, commits: int) -> list[Row]:
    calls: dict[tuple[int, str], Callable[[int], object]] = {}
    for files in REPO_FILES:
        dirs = files // FILES_PER_DIR
        repo = build_files(root / f"files-{files}.git", files)
        repo.create_branch("sandbox-growth")

        def commit(i: int, repo: Repository = repo, dirs: int = dirs) -> None:
            changes = [
                Change(
                    f"d{(i + k * 7) % dirs:03}/f{(i * 3 + k) % FILES_PER_DIR:03}.txt", b"%d\n" % i
                )
                for k in range(3)
            ]
            repo.commit_changes("sandbox-growth", changes, message="growth")

        timed(lambda i, c=commit: c(-1 - i), 20)  # warm-up
        calls[files, "3-file commit (git engine)"] = commit
    times = interleaved(calls, commits)
    return [Row("files in repository", n, what, samples) for (n, what), samples in times.items()]


def verdict(factor: float, size_ratio: float) -> str:
    """Flat: under 2x for a 100x bigger size; linear: growing with the size itself."""
    if factor < 2:
        return "flat"
    if factor < size_ratio / 4:
        return "sublinear"
    return "linear"


def table(rows: list[Row]) -> str:
    lines = [
        "| grows with | size | operation | p50 ms | p99 ms | samples | growth, smallest to largest |",
        "|---|---|---|---|---|---|---|",
    ]
    first: dict[tuple[str, str], Row] = {}
    for row in rows:
        key = (row.dimension, row.operation)
        base = first.setdefault(key, row)
        growth = ""
        if row is not base and row.size == max(
            r.size for r in rows if (r.dimension, r.operation) == key
        ):
            factor = row.p50 / base.p50
            ratio = row.size / base.size
            growth = f"{factor:.2f}x for {ratio:,.0f}x the size: **{verdict(factor, ratio)}**"
        lines.append(
            f"| {row.dimension} | {row.size:,} | {row.operation} | {row.p50 * 1e3:.2f} "
            f"| {percentile(row.samples, 0.99) * 1e3:.2f} | {len(row.samples)} | {growth} |"
        )
    return "\n".join(lines)


def run_growth(quick: bool = False) -> list[Row]:
    samples, queries, commits = (60, 30, 100) if quick else (200, 100, 300)
    with tempfile.TemporaryDirectory(prefix="draftroom-growth-") as tmp:
        root = Path(tmp)
        rows = sandbox_growth(root, samples)
        rows += memory_growth(queries)
        rows += repository_growth(root, commits)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows = run_growth(args.quick)
    print(table(rows))
    print(f"\n(growth benchmark took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
