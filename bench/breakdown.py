"""Where one call's time goes: ``git.commit`` and ``files.read`` profiled step by step.

Not a test. Run ``.venv/bin/python bench/breakdown.py [--calls N]``; prints a markdown table.
The calls take the HTTP adapter's path minus the HTTP framing (``Registry.invoke`` with the
caller's API key, as bench/load.py's clients send it) on bench/load.py's repository of
5,000 files, one sandbox, SQLite. Under ``cProfile`` Python code runs slower than it does
alone, so the table gives each step's share of the profiled call next to its milliseconds;
the shares say where the time goes, the CPU per call measured without the profiler comes
from bench/load.py.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load
from draftroom.config import Settings
from draftroom.domain.access import Bearer
from draftroom.domain.calls import Services
from draftroom.tools import build_registry

STEPS: dict[str, tuple[tuple[str, str], ...]] = {
    # step -> the functions (file suffix, name) whose cumulative time is the step's
    "admit: API key and scope (own session)": (("tools/registry.py", "admit"),),
    "open the sandbox: reuse token, lockout counters": (
        ("domain/access/owned.py", "open_callers_sandbox"),
    ),
    "checks: size, rate, daily quotas, secrets": (("domain/commits/checks.py", "check_commit"),),
    "git: build trees, write the pack": (("git/changeset.py", "commit_changes"),),
    "git: of which moving the branch": (("git/commits.py", "move_branch"),),
    "git: read the file": (("git/reading.py", "read_file"),),
    "audit row, chained, and the call's commit": (("tools/registry.py", "_end"),),
}
DATABASE = "database, all of the above (SQLAlchemy + SQLite)"


@dataclass
class Profile:
    tool: str
    calls: int
    total_ms: float  # profiled ms per call, whole invoke
    steps: dict[str, float]  # profiled ms per call


def profile(calls: int = 300) -> list[Profile]:
    root = Path(tempfile.mkdtemp(prefix="draftroom-breakdown-"))
    try:
        repo = root / "big.git"
        load.build_repository(repo)
        subprocess.run(["git", "repack", "-adq"], cwd=repo, check=True, env=load.GIT_ENV)
        key = load.register(root / "data", repo, 1)[0]
        os.environ.update(load.server_env(root / "data"))  # rate limits out of the way
        services = Services(Settings())
        registry = build_registry()
        bearer = Bearer(key)
        token = registry.invoke(
            registry.get("sandbox.init"),
            services,
            bearer,
            {"repo_name": load.REPO_NAME, "mode": "project", "project_name": "profile"},
        )
        client = _Client(token.model_dump()["reuse_token"])
        found = [_run(registry, services, bearer, client, tool, calls) for tool in TOOLS]
        services.database.dispose()
        return found
    finally:
        shutil.rmtree(root, ignore_errors=True)


TOOLS = ("git.commit", "files.read")


class _Client:
    """What ``load.operation`` needs of a client: its sandbox."""

    index = 0

    def __init__(self, token: str) -> None:
        self.token = token

    def sandboxed(self, **body: Any) -> dict[str, Any]:
        return {"repo_name": load.REPO_NAME, "reuse_token": self.token, **body}


def _run(
    registry: Any, services: Services, bearer: Bearer, client: _Client, tool: str, calls: int
) -> Profile:
    rng = random.Random(7)
    declared = registry.get(tool)
    bodies = [load.operation(tool, client, rng, n) for n in range(calls + 20)]  # type: ignore[arg-type]
    for body in bodies[:20]:  # warm: caches, the first pack, the sizes of the tree
        registry.invoke(declared, services, bearer, body)
    profiler = cProfile.Profile()
    profiler.enable()
    for body in bodies[20:]:
        registry.invoke(declared, services, bearer, body)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = cumulative_of(stats, "tools/registry.py", "invoke")
    steps = {
        step: sum(cumulative_of(stats, *function) for function in functions) * 1000 / calls
        for step, functions in STEPS.items()
    }
    steps[DATABASE] = _entered(stats, "/sqlalchemy/") * 1000 / calls
    return Profile(tool, calls, total * 1000 / calls, steps)


def cumulative_of(stats: dict[Any, Any], suffix: str, name: str) -> float:
    """Seconds in the function ``name`` of a file ending in ``suffix``, with all it called."""
    return sum(
        value[3]
        for (filename, _, func), value in stats.items()
        if filename.endswith(suffix) and func == name
    )


def _entered(stats: dict[Any, Any], package: str) -> float:
    """Seconds spent in ``package`` entered from outside it: each call edge from our code
    into it counted once with everything below, so nested calls are not counted twice."""

    def inside(filename: str) -> bool:  # generated code ("<string>") counts as the package's
        return package in filename or filename.startswith("<")

    total = 0.0
    for (filename, _, _), (_, _, _, _, callers) in stats.items():
        if not inside(filename):
            continue
        for (caller_file, _, _), edge in callers.items():
            if not inside(caller_file):
                total += edge[3]
    return total


def table(profiles: list[Profile]) -> str:
    lines = [
        "| call | step | profiled ms per call | share |",
        "|---|---|---|---|",
    ]
    for found in profiles:
        lines.append(
            f"| `{found.tool}` | whole call (`Registry.invoke`) | {found.total_ms:.2f} | 100% |"
        )
        for step, ms in found.steps.items():
            if ms > 0:
                lines.append(f"| | {step} | {ms:.2f} | {100 * ms / found.total_ms:.0f}% |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300, help="profiled calls per tool (300)")
    print(table(profile(parser.parse_args(argv).calls)))


if __name__ == "__main__":
    main()
