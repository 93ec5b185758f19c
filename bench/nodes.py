"""Commits per second with one node and with two (issue 22): ``./dev bench nodes``.

Not a test. Each run makes a fresh PostgreSQL database and a repositories directory, starts
N ``draftroom serve`` nodes (one worker each) sharing them and Redis, and lets C clients
(threads, one keep-alive connection and one sandbox each, spread over the nodes) commit one
small file after another for a fixed time. Every acknowledged commit is checked to be on
its sandbox branch afterwards. Both runs share this machine's cores with the database, Redis
and the clients, so two nodes on one machine measure what the shared parts cost, not what a
second machine adds. Writes the table to ``docs/benchmarks.md`` between
``<!-- bench:nodes start -->`` and ``<!-- bench:nodes end -->``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import free_port, server_env

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
START, END = "<!-- bench:nodes start -->", "<!-- bench:nodes end -->"
POSTGRES = os.environ.get(
    "DRAFTROOM_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS = os.environ.get("DRAFTROOM_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


@contextmanager
def database() -> Iterator[str]:
    name = f"bench_{uuid.uuid4().hex}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def node(root: Path, n: int, env: dict[str, str]) -> Iterator[str]:
    """One ``draftroom serve`` node; its base URL once healthy."""
    data, port = root / f"node-{n}", free_port()
    command = [sys.executable, "-m", "draftroom", "serve", "--data-dir", str(data)]
    command += ["--port", str(port)]
    with (root / f"node-{n}.log").open("ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None and time.monotonic() < deadline, "node did not start"
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class Result:
    nodes: int
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    lost: int = 0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def run(nodes: int, clients: int, seconds: float) -> Result:
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        url = stack.enter_context(database())
        env = {
            **server_env(root / "node-1"),
            "DRAFTROOM_DATABASE_URL": url,
            "DRAFTROOM_REDIS_URL": REDIS,
            "DRAFTROOM_REDIS_KEY_PREFIX": f"bench-{uuid.uuid4().hex}",
            "DRAFTROOM_REPOS_DIR": str(root / "repos"),
            "DRAFTROOM_SECRET_KEY": "bench-secret-key-shared-by-every-node",
            "DRAFTROOM_MAX_SANDBOXES_PER_KEY": "100000",
        }
        env.pop("DRAFTROOM_DATA_DIR")
        bases = [stack.enter_context(node(root, n, env)) for n in range(1, nodes + 1)]
        key = (root / "node-1" / "admin.key").read_text().strip()
        result = Result(nodes, clients, seconds)
        acked: list[tuple[str, str]] = []
        stop = time.monotonic() + seconds

        def client(i: int) -> None:
            auth = {"Authorization": f"Bearer {key}"}
            with httpx.Client(base_url=bases[i % nodes], headers=auth, timeout=60) as http:
                sb = http.post("/sandbox/init", json={"repo_name": "demo"}).json()
                body = {
                    "repo_name": "demo",
                    "branch": sb["branch"],
                    "reuse_token": sb["reuse_token"],
                }
                n = 0
                while time.monotonic() < stop:
                    n += 1
                    started = time.perf_counter()
                    out = http.post(
                        "/files/write",
                        json={
                            **body,
                            "path": f"c{i}/{n}.txt",
                            "content": f"{n}\n",
                            "message": "bench",
                        },
                    )
                    assert out.status_code == 200, out.text
                    result.latencies.append(time.perf_counter() - started)
                    acked.append((sb["branch"], out.json()["commit_sha"]))

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        gitdir = root / "repos" / "default" / "demo.git"
        for branch, sha in acked:
            check = ["git", "-C", str(gitdir), "merge-base", "--is-ancestor", sha, branch]
            result.lost += subprocess.run(check, check=False).returncode != 0
        return result


def table(results: list[Result]) -> str:
    lines = [
        "| nodes | clients | commits/s | p50 ms | p95 ms | acknowledged | lost |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.nodes} | {r.clients} | {r.rate:.1f} | {r.percentile(0.5):.1f} | "
            f"{r.percentile(0.95):.1f} | {len(r.latencies):,} | {r.lost} |"
        )
    return "\n".join(lines)


def write_doc(section: str) -> None:
    text_ = DOC.read_text()
    block = f"{START}\n{section}\n{END}"
    if START in text_:
        head, rest = text_.split(START, 1)
        text_ = head + block + rest.split(END, 1)[1]
    else:
        text_ = text_.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(text_)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    load1, _, _ = os.getloadavg()
    results = [run(n, args.clients, args.seconds) for n in (1, 2)]
    cores = os.cpu_count()
    section = "\n".join(
        [
            "## Nodes (bench/nodes.py)",
            "",
            f"Run: `./dev bench nodes`. {args.clients} clients, {args.seconds:.0f} s per run, "
            f"one small file per commit (`/files/write`), PostgreSQL + Redis + one shared "
            f"repositories directory, one worker per node, everything on one {cores}-core "
            f"machine; {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC; load average "
            f"{load1:.1f} at the start (other work on the machine takes cores from the runs).",
            "",
            table(results),
        ]
    )
    print(section)
    if not args.no_write:
        write_doc(section)


if __name__ == "__main__":
    main()
