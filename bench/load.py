"""HTTP load test of the real server, against the way it is done today: a clone per agent.

Not a test. Starts ``draftroom serve --workers N`` (uvicorn, SQLite in WAL mode) on a fresh
data directory in a temporary directory, registers a repository of 5,000 files in 50
directories, and lets C concurrent clients (threads, one keep-alive connection and one
sandbox each) run

0. one client alone, reads then commits (no queueing: the latency and server CPU of one request);
1. a realistic mix for a fixed time: 60% ``/files/read``, 30% 3-file ``/git/commit``,
   10% ``/memory/query``;
2. a commit-only stream for the same time;

then runs the same commit stream against the baseline: one clone (working tree) per client,
each writing 3 files and running ``git add -A && git commit -q``. Every commit the server
acknowledged (the sha of each 200) is checked to be on its sandbox branch afterwards.

Run ``.venv/bin/python bench/load.py [--clients 16] [--seconds 20] [--workers 2]``; prints
markdown tables. ``bench/run.py`` runs it as part of the whole benchmark.

The clients use the standard library's ``http.client`` (a persistent HTTP/1.1 connection per
thread): on a 2-core machine the load generator shares the CPU with the server, and this is
the cheapest client per request in Python, so the figures say more about the server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from draftroom.config import Settings
from draftroom.domain.access import issue_api_key
from draftroom.domain.calls import Services
from draftroom.git import Change, Repository
from draftroom.store import get_or_create_org
from git_commit import GIT_ENV, percentile

DIRS, FILES_PER_DIR = 50, 100
REPO_NAME = "big"
MIX = (("files.read", 0.6), ("git.commit", 0.3), ("memory.query", 0.1))
COMMITS_ONLY = (("git.commit", 1.0),)
MEMORY_NOTES = 5
DRAFTROOM = Path(sys.executable).with_name("draftroom")


def file_path(i: int) -> str:
    return f"d{i % DIRS:02}/f{(i // DIRS) % FILES_PER_DIR:03}.txt"


def build_repository(path: Path, files: int = DIRS * FILES_PER_DIR, dirs: int = DIRS) -> Repository:
    """A bare repository whose ``main`` holds ``files`` files spread over ``dirs`` directories."""
    repo = Repository.init(path)
    per_dir = files // dirs
    changes = [
        Change(f"d{d:02}/f{f:03}.txt", b"line %d %d\n" % (d, f) * 20)
        for d in range(dirs)
        for f in range(per_dir)
    ]
    repo.commit_changes("main", changes, message=f"{files:,} files")
    return repo


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path) -> dict[str, str]:
    """Environment for the server and CLI: the bench data dir, and generous rate limits.

    Rate limits protect a shared server from one runaway client; a load test is exactly that
    client, so every ``DRAFTROOM_*_PER_MINUTE`` setting the server knows is raised.
    """
    env = {**os.environ, "DRAFTROOM_DATA_DIR": str(data_dir)}
    for name, info in Settings.model_fields.items():
        if "per_minute" in name or "rate" in name:
            env[f"DRAFTROOM_{name.upper()}"] = str(10**9 if info.annotation is int else 1e9)
    return env


@dataclass
class Server:
    url: str
    host: str
    port: int
    process: subprocess.Popen[bytes]
    data_dir: Path
    env: dict[str, str]

    @property
    def worker_pids(self) -> list[int]:
        """The uvicorn worker processes (children of the supervisor), for profiling."""
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        )
        return [int(pid) for pid in out.stdout.split()]

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server's processes and their children have used.

        On a shared machine wall-clock figures swing with the neighbours' load; the CPU a
        request costs the server does not, so the report gives both.
        """
        total = 0
        for pid in [self.process.pid, *self.worker_pids]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # utime, stime and the waited-for children's (fields 14-17): a worker runs
            # ``git repack`` to merge small packs, and that CPU is the server's too
            total += sum(int(field) for field in fields[11:15])
        return total / os.sysconf("SC_CLK_TCK")


@contextmanager
def serve(data_dir: Path, workers: int) -> Iterator[Server]:
    """``draftroom serve --workers N`` as in production; stopped (SIGINT, then SIGKILL) after."""
    port = free_port()
    env = server_env(data_dir)
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [str(DRAFTROOM), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server(f"http://127.0.0.1:{port}", "127.0.0.1", port, process, data_dir, env)
    try:
        wait_healthy(server, workers)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def wait_healthy(server: Server, workers: int, timeout: float = 60.0) -> None:
    """Wait until /health answers and every worker has started serving."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                "server exited:\n" + (server.data_dir / "server.log").read_text()[-3000:]
            )
        log = (server.data_dir / "server.log").read_text(errors="replace")
        if log.count("Application startup complete") >= workers:
            try:
                conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
                conn.request("GET", "/health")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
        time.sleep(0.1)
    raise RuntimeError("server did not become healthy within 60 s")


def register(data_dir: Path, repo_path: Path, clients: int) -> list[str]:
    """Register the repository with the CLI; one agent API key per client (in-process)."""
    subprocess.run(
        [str(DRAFTROOM), "repo", "add", REPO_NAME, "--path", str(repo_path)],
        env=server_env(data_dir),
        check=True,
        capture_output=True,
    )
    services = Services(Settings(data_dir=data_dir))
    keys = []
    with services.database.session() as session:
        org = get_or_create_org(session, services.settings.org)
        for i in range(clients):
            keys.append(issue_api_key(session, org.id, "agent", label=f"bench {i}")[1])
    services.database.dispose()
    return keys


class Connection(http.client.HTTPConnection):
    """``http.client`` with ``TCP_NODELAY``, as curl and browsers set it.

    ``http.client`` sends the headers and the body in two writes; with Nagle's algorithm on,
    the body waits for the ACK of the headers, which the server delays by 40 ms.
    """

    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class Client:
    """One user: an API key, a keep-alive connection and a sandbox."""

    def __init__(self, server: Server, key: str, index: int) -> None:
        self.conn = Connection(server.host, server.port, timeout=60)
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        self.index = index
        self.token = ""
        self.branch = ""

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        data = json.dumps(body).encode()
        self._drop_if_closed()
        try:
            self.conn.request("POST", path, body=data, headers=self.headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            return 599, {"error": {"code": type(exc).__name__, "message": str(exc)}}
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, {"error": {"code": "not_json", "message": raw[:200].decode()}}

    def _drop_if_closed(self) -> None:
        """Reconnect when the server closed this idle keep-alive connection, as httpx's pool
        does; otherwise the first request after a pause would fail with a broken pipe."""
        sock = self.conn.sock
        if sock is not None and select.select([sock], [], [], 0)[0]:
            self.conn.close()  # http.client opens a new connection on the next request

    def sandboxed(self, **body: Any) -> dict[str, Any]:
        return {"repo_name": REPO_NAME, "reuse_token": self.token, **body}


@dataclass
class RunResult:
    seconds: float
    server_cpu: float = 0.0  # seconds of server CPU the run used
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    acked: list[tuple[str, str]] = field(default_factory=list)  # (branch, sha)

    def count(self, tool: str | None = None) -> int:
        if tool is None:
            return sum(len(v) for v in self.latencies.values())
        return len(self.latencies.get(tool, []))

    def rate(self, tool: str | None = None) -> float:
        return self.count(tool) / self.seconds

    def cpu_per_request(self) -> float | None:
        """Seconds of server CPU per request; None when the run did not measure it."""
        if not self.server_cpu or not self.count():
            return None
        return self.server_cpu / self.count()


def start_sandboxes(clients: list[Client], memory: bool) -> tuple[list[float], list[str]]:
    """``/sandbox/init`` for every client at once, then a few memory notes when memory exists;
    returns the init latencies and the failed inits (each retried, up to 3 attempts)."""
    latencies: list[float] = []
    errors: list[str] = []

    def start(client: Client) -> None:
        for _ in range(3):
            started = time.perf_counter()
            status, body = client.post(
                "/sandbox/init",
                {
                    "repo_name": REPO_NAME,
                    "mode": "project",
                    "project_name": f"bench {client.index}",
                },
            )
            if status == 201:
                latencies.append(time.perf_counter() - started)
                break
            errors.append(f"sandbox.init -> {status}: {json.dumps(body)[:300]}")
        else:
            raise RuntimeError(f"/sandbox/init failed three times: {errors[-3:]}")
        client.token, client.branch = body["reuse_token"], body["branch"]
        for n in range(MEMORY_NOTES if memory else 0):
            status, body = client.post("/memory/add", client.sandboxed(**memory_note(n)))
            if status not in (200, 201):
                raise RuntimeError(f"/memory/add answered {status}: {body}")

    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(start, clients))
    return latencies, errors


def memory_note(n: int) -> dict[str, Any]:
    topic = ("cache", "login", "schema", "deploy", "billing")[n % 5]
    return {
        "text": f"Decision {n}: the {topic} module keeps its state in one place (note {n}).",
        "tags": [topic],
    }


def operation(tool: str, client: Client, rng: random.Random, n: int) -> dict[str, Any]:
    if tool == "files.read":
        return client.sandboxed(path=file_path(rng.randrange(DIRS * FILES_PER_DIR)))
    if tool == "git.commit":
        start = rng.randrange(DIRS * FILES_PER_DIR)
        changes = [
            {"path": file_path(start + k * 17), "content": f"client {client.index} op {n}.{k}\n"}
            for k in range(3)
        ]
        return client.sandboxed(message=f"bench {client.index}/{n}", changes=changes)
    return client.sandboxed(q=("cache", "login", "schema", "deploy", "billing")[n % 5])


def drive(
    clients: list[Client],
    mix: tuple[tuple[str, float], ...],
    seconds: float,
    seed: int = 1,
    server: Server | None = None,
) -> RunResult:
    """Every client runs the mix back to back until the deadline; all start together."""
    tools = [tool for tool, _ in mix]
    weights = [weight for _, weight in mix]
    per_client: list[RunResult] = [RunResult(seconds) for _ in clients]
    barrier = threading.Barrier(len(clients) + 1)
    deadline = [0.0]

    def work(client: Client, result: RunResult) -> None:
        rng = random.Random(seed * 1000 + client.index)
        barrier.wait()
        n = 0
        while time.perf_counter() < deadline[0]:
            tool = rng.choices(tools, weights)[0]
            body = operation(tool, client, rng, n)
            started = time.perf_counter()
            status, answer = client.post("/" + tool.replace(".", "/"), body)
            elapsed = time.perf_counter() - started
            n += 1
            if status != 200:
                result.errors.append(f"{tool} -> {status}: {json.dumps(answer)[:300]}")
                continue
            result.latencies[tool].append(elapsed)
            if tool == "git.commit":
                result.acked.append((answer["branch"], answer["commit_sha"]))

    threads = [
        threading.Thread(target=work, args=(c, r), daemon=True)
        for c, r in zip(clients, per_client, strict=True)
    ]
    for thread in threads:
        thread.start()
    cpu = server.cpu_seconds() if server else 0.0
    deadline[0] = time.perf_counter() + seconds
    started = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    total = RunResult(time.perf_counter() - started)
    total.server_cpu = server.cpu_seconds() - cpu if server else 0.0
    for result in per_client:
        for tool, samples in result.latencies.items():
            total.latencies[tool].extend(samples)
        total.errors.extend(result.errors)
        total.acked.extend(result.acked)
    return total


def lost_commits(repo_path: Path, acked: list[tuple[str, str]]) -> list[str]:
    """Acknowledged commits that are not on their branch (must be none)."""
    repo = Repository.open(repo_path)
    heads: dict[str, str] = {}
    lost = []
    for branch, sha in acked:
        head = heads.setdefault(branch, repo.head(branch))
        try:
            on_branch = repo.is_ancestor(sha, head)
        except Exception:  # an unknown sha is as lost as an unreachable one
            on_branch = False
        if not on_branch:
            lost.append(f"{sha} on {branch}")
    return lost


def baseline(repo_path: Path, work: Path, clients: int, seconds: float) -> RunResult:
    """Today's way: a clone per agent; each commit writes 3 files, then add -A + commit."""
    clones = [work / f"clone-{i}" for i in range(clients)]

    def clone(target: Path) -> None:
        command = ["git", "clone", "-q", str(repo_path), str(target)]
        subprocess.run(command, check=True, env=GIT_ENV)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(clone, clones))
    os.sync()  # flush the checkouts so their writeback does not land inside the timed run
    result = [RunResult(seconds) for _ in clones]
    barrier = threading.Barrier(clients + 1)
    deadline = [0.0]

    def work_in(i: int, clone: Path, out: RunResult) -> None:
        rng = random.Random(7000 + i)
        barrier.wait()
        n = 0
        while time.perf_counter() < deadline[0]:
            start = rng.randrange(DIRS * FILES_PER_DIR)
            began = time.perf_counter()
            for k in range(3):
                (clone / file_path(start + k * 17)).write_text(f"client {i} op {n}.{k}\n")
            done = subprocess.run(
                f"git add -A && git commit -q -m 'bench {i}/{n}'",
                shell=True,
                cwd=clone,
                env=GIT_ENV,
                capture_output=True,
                check=False,
            )
            n += 1
            if done.returncode != 0:
                out.errors.append(f"git commit -> {done.returncode}: {done.stderr[:300]!r}")
                continue
            out.latencies["git add -A && git commit"].append(time.perf_counter() - began)

    threads = [
        threading.Thread(target=work_in, args=(i, c, r), daemon=True)
        for i, (c, r) in enumerate(zip(clones, result, strict=True))
    ]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    started = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    total = RunResult(time.perf_counter() - started)
    for r in result:
        for tool, samples in r.latencies.items():
            total.latencies[tool].extend(samples)
        total.errors.extend(r.errors)
    return total


def memory_available(server: Server) -> bool:
    """Whether the server has the memory tools (they arrive with project workspaces)."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    conn.request("GET", "/openapi.json")
    paths = json.loads(conn.getresponse().read()).get("paths", {})
    return "/memory/query" in paths and "/memory/add" in paths


@dataclass
class LoadReport:
    clients: int
    workers: int
    seconds: float
    files: int
    memory: bool
    init: list[float]
    single: list[RunResult]  # one client alone: reads, then commits (no queueing)
    mixed: RunResult
    commits: RunResult
    base: RunResult
    lost: list[str]
    phases: Phases
    init_errors: list[str]  # failed /sandbox/init calls while the clients started at once
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        ours = self.commits.rate("git.commit")
        theirs = self.base.rate()
        return ours / theirs if theirs else float("inf")

    def tables(self) -> str:
        ms = 1e3
        lines = [
            f"{self.clients} clients (one sandbox and one API key each), "
            f"`draftroom serve --workers {self.workers}`, SQLite (WAL), a repository of "
            f"{self.files:,} files in {DIRS} directories; {self.seconds:.0f} s per run.",
            "",
            "| run | tool | requests | requests/s | p50 ms | p99 ms |",
            "|---|---|---|---|---|---|",
        ]
        cpu_lines: list[str] = []
        runs = (
            *(("one client alone", run) for run in self.single),
            ("mix", self.mixed),
            ("commits only", self.commits),
            ("baseline: clone per client", self.base),
        )
        for label, result in runs:
            for tool, samples in sorted(result.latencies.items()):
                lines.append(
                    f"| {label} | {tool} | {len(samples):,} | {len(samples) / result.seconds:,.1f}"
                    f" | {percentile(samples, 0.5) * ms:.2f} | {percentile(samples, 0.99) * ms:.2f} |"
                )
            if len(result.latencies) > 1:
                lines.append(f"| {label} | all | {result.count():,} | {result.rate():,.1f} | | |")
            cost = result.cpu_per_request()
            if cost is not None:
                only = f" ({next(iter(result.latencies))})" if len(result.latencies) == 1 else ""
                cpu_lines.append(
                    f"{label}{only}: {cost * ms:.2f} ms of server CPU per request "
                    f"({result.server_cpu / result.seconds:.2f} of {os.cpu_count()} cores busy)"
                )
        init = self.init
        lines.append(
            f"| setup | sandbox.init | {len(init)} | | {percentile(init, 0.5) * ms:.2f} "
            f"| {percentile(init, 0.99) * ms:.2f} |"
        )
        errors = len(self.errors())
        acked = sum(len(run.acked) for run in (*self.single, self.mixed, self.commits))
        lines += [
            "",
            f"Commits/s, draftroom vs baseline (same {self.clients} clients, same "
            f"{self.seconds:.0f} s): **{self.commits.rate('git.commit'):,.1f} vs "
            f"{self.base.rate():,.1f} = {self.ratio:.1f}x**.",
            f"Errors: {errors} (baseline: {len(self.base.errors)}). Acknowledged commits: "
            f"{acked:,}, verified on their branch: {acked - len(self.lost):,}, "
            f"lost: {len(self.lost)}.",
        ]
        lines += ["", *(f"- {line}" for line in cpu_lines), *(f"- {note}" for note in self.notes)]
        lines.append(f"- wall clock: {self.phases}")
        lines += [f"- error: `{error}`" for error in self.errors()[:5]]
        return "\n".join(lines)

    def errors(self) -> list[str]:
        """Failed requests to draftroom (the baseline's failures are counted apart)."""
        runs = (*self.single, self.mixed, self.commits)
        return [*self.init_errors, *(e for run in runs for e in run.errors)]

    def problems(self) -> list[str]:
        return [*self.errors(), *self.base.errors, *self.lost]


class Phases:
    """Wall-clock seconds of each step, so a slow run shows where its time went."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def done(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = now - self._last
        self._last = now

    def __str__(self) -> str:
        return ", ".join(f"{name} {secs:.1f} s" for name, secs in self.seconds.items())


def run_load(
    clients: int = 16,
    seconds: float = 20.0,
    workers: int = 2,
    files: int = DIRS * FILES_PER_DIR,
    on_server: Callable[[Server, str], None] | None = None,
) -> LoadReport:
    """The whole load benchmark in a temporary directory; ``on_server(server, phase)`` hooks
    profiling in before each timed phase."""
    phases = Phases()
    root = Path(tempfile.mkdtemp(prefix="draftroom-load-"))
    try:
        repo_path = root / "big.git"
        build_repository(repo_path, files)
        # Packed, as a real repository is; clones then hardlink one pack, not 5,000 objects.
        subprocess.run(["git", "repack", "-adq"], cwd=repo_path, check=True, env=GIT_ENV)
        data_dir = root / "data"
        keys = register(data_dir, repo_path, clients)
        phases.done("build and register")
        base = baseline(repo_path, root / "clones", clients, seconds)
        phases.done("baseline (clones + run)")
        notes: list[str] = []
        with serve(data_dir, workers) as server:
            phases.done("server start")
            memory = memory_available(server)
            mix = MIX
            if not memory:
                mix = (("files.read", 0.7), ("git.commit", 0.3))
                notes.append("the server has no /memory/query: its 10% share went to reads")
            pool = [Client(server, key, i) for i, key in enumerate(keys)]
            init, init_errors = start_sandboxes(pool, memory)
            phases.done("sandboxes")
            alone = max(2.0, seconds / 5)
            single = [
                drive(pool[:1], (("files.read", 1.0),), alone, seed=3, server=server),
                drive(pool[:1], COMMITS_ONLY, alone, seed=4, server=server),
            ]
            if on_server:
                on_server(server, "mix")
            mixed = drive(pool, mix, seconds, seed=1, server=server)
            if on_server:
                on_server(server, "commits")
            commits = drive(pool, COMMITS_ONLY, seconds, seed=2, server=server)
            phases.done("timed runs")
            for client in pool:
                client.conn.close()
        phases.done("server stop")
        acked = [ack for run in (*single, mixed, commits) for ack in run.acked]
        lost = lost_commits(repo_path, acked)
        phases.done("verify")
    finally:
        # 16 working trees of 5,000 files take a while to delete: do it in the background.
        subprocess.Popen(["rm", "-rf", str(root)], start_new_session=True)
    return LoadReport(
        clients,
        workers,
        seconds,
        files,
        memory,
        init,
        single,
        mixed,
        commits,
        base,
        lost,
        phases,
        init_errors,
        notes,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each run (20)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (2)")
    args = parser.parse_args(argv)
    report = run_load(args.clients, args.seconds, args.workers)
    print(report.tables())
    for problem in report.problems()[:50]:
        print("problem:", problem)


if __name__ == "__main__":
    main()
