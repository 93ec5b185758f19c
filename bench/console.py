"""Console pages at 10,000 sandboxes: p50 and p95 of whole requests, signed in over HTTP.

Not a test. Run ``.venv/bin/python bench/console.py`` (or ``./dev bench console``); about
30 s on a 2-core machine. ``bench/run.py`` runs it as part of the whole benchmark.

Setup, written straight through the store in bulk (not over HTTP): one org with an owner and
49 members (passwords), one repository, 10,000 sandboxes (each a real branch off ``main``,
spread over the people, last active from now to 14 days ago; written as packed refs), 100,000 audit rows spread over
the last 7 days (5% failed, a third of them commits, some rollbacks), 200 pending merge
requests and 300 outbox rows. Then ``draftroom serve`` (one worker, as in production) starts
on it, the owner and a member sign in through the form (``GET /console/sign-in`` for its
cookie and CSRF token, then ``POST``), and each page in ``PAGES`` is fetched 5 times to warm
up, then ``--requests`` times (50), one after another on one keep-alive connection.

A page that answers 404 is not built yet: it is skipped with a note, so the benchmark runs
before and after every console page lands. Target: p50 <= 100 ms for every page.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from sqlalchemy import insert, select

from draftroom import store
from draftroom.config import Settings
from draftroom.domain.access.people import hash_password
from draftroom.domain.calls import Services
from draftroom.domain.repos.setup import setup_default
from draftroom.store.models import AuditEvent, MergeRequest, Sandbox
from draftroom.store.outbox import OutboxEntry
from draftroom.store.timestamps import utc_now
from git_commit import percentile
from load import serve

SANDBOXES = 10_000
AUDIT_ROWS = 100_000
PEOPLE = 50
PASSWORD = "bench password, long enough"
TARGET_MS = 100.0
PAGES = (
    ("owner", "/console"),
    ("member", "/console"),
    ("owner", "/console/sandboxes"),
    ("owner", "/console/sandboxes?idle=7d"),
    ("member", "/console/sandboxes"),
    ("owner", "/console/merge-requests"),
    ("owner", "/console/audit"),
    ("owner", "/console/people"),
    ("owner", "/console/failures"),
)
"""(who, path): every console page a person opens most, as the owner (the org's view) and,
where it differs, as a member (their own)."""
TOOLS = ("files.read", "files.write", "git.commit", "memory.add", "tasks.list", "git.history")
ROLLBACKS = ("git.rollback_commit", "sandbox.undo", "git.restore")


@dataclass
class Result:
    who: str
    path: str
    status: int
    samples: list[float]  # seconds; empty when skipped
    first: float = 0.0
    """The first request's time: a worker's first overview of an org reads its whole week."""

    @property
    def p50(self) -> float:
        return percentile(self.samples, 0.5) * 1e3

    @property
    def p95(self) -> float:
        return percentile(self.samples, 0.95) * 1e3


def seed(services: Services, rng: random.Random) -> None:
    """People, sandboxes with their branches, audit rows, merge requests, outbox rows."""
    now = utc_now()
    with services.database.session() as session:
        org = store.get_or_create_org(session, services.settings.org)
        repo = store.list_repositories(session, org.id)[0]
        secret = hash_password(PASSWORD)
        people = [
            store.add_user(
                session,
                org.id,
                f"p{n}@bench.example",
                "owner" if n == 0 else "member",
                password_hash=secret,
            ).id
            for n in range(PEOPLE)
        ]
        branches = [f"sandbox-bench-{n:05}" for n in range(SANDBOXES)]
        session.execute(
            insert(Sandbox),
            [
                {
                    "repository_id": repo.id,
                    "branch": branch,
                    "status": "active" if n % 10 else "archived",
                    "created_for_user_id": people[n % PEOPLE],
                    "project_name": f"project {n % 37}",
                    "created_at": now - timedelta(days=30, seconds=n),
                    "last_active_at": now - timedelta(seconds=rng.uniform(0, 14 * 86400)),
                }
                for n, branch in enumerate(branches)
            ],
        )
        ids = session.scalars(select(Sandbox.id).where(Sandbox.repository_id == repo.id)).all()
        git = services.git(repo.path)
        main = git.head("main")
        # Commits the rows name must exist, or the server's start-up reconciliation
        # (``domain.audit.reconcile``) marks them missing: they all name main's head.
        rows = audit_rows(org.id, people, branches, main, rng)
        session.execute(insert(AuditEvent), list(rows))
        session.execute(
            insert(MergeRequest),
            [
                {
                    "repository_id": repo.id,
                    "sandbox_id": ids[n * 7],
                    "branch": branches[n * 7],
                    "title": f"Change {n}",
                    "status": "pending",
                    "source_sha": "0" * 40,
                    "requested_by_user_id": people[n * 7 % PEOPLE],
                    "preview": {},
                    "created_at": now - timedelta(minutes=n),
                }
                for n in range(200)
            ],
        )
        session.execute(
            insert(OutboxEntry),
            [
                {
                    "repository_id": repo.id,
                    "branch": branches[n * 11],
                    "state": ("pending", "failed", "diverged", "synced")[n % 4],
                    "updated_at": now,
                }
                for n in range(300)
            ],
        )
    pack_branches(git.path, branches, main)
    assert git.head(branches[-1]) == main and len(git.list_branches("sandbox-")) == SANDBOXES


def pack_branches(gitdir: Path, branches: list[str], sha: str) -> None:
    """Every branch at ``sha``, written as git's ``packed-refs`` file (as after ``git gc``):
    10,000 loose ref files take as long to delete again as the whole benchmark to run."""
    packed = gitdir / "packed-refs"
    lines = packed.read_text().splitlines()[1:] if packed.exists() else []
    lines += [f"{sha} refs/heads/{branch}" for branch in branches]
    lines.sort(key=lambda line: line.split(" ", 1)[1])
    packed.write_text("# pack-refs with: peeled fully-peeled sorted \n" + "\n".join(lines) + "\n")


def audit_rows(
    org_id: int, people: list[int], branches: list[str], sha: str, rng: random.Random
) -> Iterator[dict[str, Any]]:
    now = utc_now()
    for n in range(AUDIT_ROWS):
        failed = rng.random() < 0.05
        tool = ROLLBACKS[n % 3] if n % 50 == 0 else TOOLS[n % len(TOOLS)]
        writes = tool in ("files.write", "git.commit", "memory.add", *ROLLBACKS)
        yield {
            "at": now - timedelta(seconds=rng.uniform(0, 7 * 86400)),
            "request_id": f"bench{n}",
            "repo": "demo",
            "branch": branches[n % len(branches)],
            "tool": tool,
            "outcome": "error" if failed else "ok",
            "error_code": "conflict" if failed else None,
            "commit_sha": sha if writes and not failed else None,
            "duration_ms": 3.0,
            "org_id": org_id,
            "user_id": people[n % len(people)],
        }


def sign_in(base: str, email: str) -> httpx.Client:
    """A client holding a console session: the form's cookie and token, then the POST."""
    client = httpx.Client(base_url=base, timeout=30)
    form = client.get("/console/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, "no CSRF token in the sign-in form"
    fields = {"email": email, "password": PASSWORD, "csrf_token": token[1], "next": "/console"}
    answer = client.post("/console/sign-in", data=fields)
    assert answer.status_code == 303 and "draftroom_console" in client.cookies, answer.text
    return client


def measure(clients: dict[str, httpx.Client], requests: int) -> list[Result]:
    results = []
    for who, path in PAGES:
        client = clients[who]
        started = time.perf_counter()
        first = client.get(path)
        cold = time.perf_counter() - started
        if first.status_code == 404:
            results.append(Result(who, path, 404, []))
            continue
        for _ in range(4):
            client.get(path)
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            answer = client.get(path)
            samples.append(time.perf_counter() - started)
            if answer.status_code != 200:
                raise RuntimeError(f"{path} as {who}: {answer.status_code} {answer.text[:300]}")
        results.append(Result(who, path, 200, samples, cold))
    return results


def table(results: list[Result]) -> str:
    load1, load5, _ = os.getloadavg()
    lines = [
        f"{SANDBOXES:,} sandboxes, {AUDIT_ROWS:,} audit rows over 7 days, {PEOPLE} people; "
        f"load average {load1:.1f} (1 min), {load5:.1f} (5 min) at the end.",
        "",
        "| page | as | p50 ms | p95 ms | first ms | samples | ≤ 100 ms p50 |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if not r.samples:
            lines.append(f"| `{r.path}` | {r.who} | | | | | not built yet (404): skipped |")
            continue
        met = "met" if r.p50 <= TARGET_MS else "**missed**"
        lines.append(
            f"| `{r.path}` | {r.who} | {r.p50:.1f} | {r.p95:.1f} | {r.first * 1e3:.0f} | "
            f"{len(r.samples)} | {met} |"
        )
    return "\n".join(lines)


def run_console(requests: int = 50, database_url: str | None = None) -> list[Result]:
    """Seed a fresh data dir, serve it, sign in and time every page in ``PAGES``."""
    with tempfile.TemporaryDirectory(prefix="draftroom-console-bench-") as tmp:
        data = Path(tmp) / "data"
        if database_url:
            os.environ["DRAFTROOM_DATABASE_URL"] = database_url
        services = Services(Settings(data_dir=data, database_url=database_url))
        setup_default(services)
        started = time.perf_counter()
        seed(services, random.Random(17))
        services.database.dispose()
        print(f"seeded in {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        with serve(data, 1) as server:
            print(f"server up in {time.perf_counter() - started:.1f} s", flush=True)
            clients = {
                "owner": sign_in(server.url, "p0@bench.example"),
                "member": sign_in(server.url, "p1@bench.example"),
            }
            started = time.perf_counter()
            try:
                return measure(clients, requests)
            finally:
                for client in clients.values():
                    client.close()
                print(f"signed in and measured in {time.perf_counter() - started:.1f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Console pages at 10,000 sandboxes.")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page (50)")
    parser.add_argument(
        "--database-url", help="an empty database to seed (default: SQLite in the data dir)"
    )
    args = parser.parse_args(argv)
    results = run_console(args.requests, args.database_url)
    for r in results:
        if not r.samples:
            print(f"note: {r.path} answers 404 (not built yet): skipped")
    print(table(results))


if __name__ == "__main__":
    main()
