"""Maintenance while a real two-worker server takes commits: nothing acknowledged is lost,
no update is lost on a shared sandbox, and ``git fsck --strict`` stays clean."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from tests.support.server import Server, git

OWN_CLIENTS = 4
SHARED_CLIENTS = 3
COMMITS_EACH = 8


@pytest.mark.slow
def test_maintenance_while_clients_commit_loses_nothing(tmp_path: Path) -> None:
    # Each worker's schedule runs maintenance about every second, beside the CLI runs below.
    env = {"DRAFTROOM_MAINTENANCE_HOURS": "0.0003"}
    with Server(tmp_path / "data", workers=2, env=env) as server:
        auth = {"Authorization": f"Bearer {server.admin_key}"}
        shared = server.start_sandbox()
        own = [server.start_sandbox() for _ in range(OWN_CLIENTS)]
        acked: list[tuple[str, str, str | None]] = []  # (branch, sha, expected head)
        failures: list[str] = []
        lock = threading.Lock()
        done = threading.Event()

        def commit_own(sb: dict[str, str]) -> None:
            with httpx.Client(base_url=server.base, headers=auth, timeout=60) as http:
                for k in range(COMMITS_EACH):
                    body = {**sb, "path": f"{k}.txt", "content": f"{k}\n", "message": f"{k}"}
                    response = http.post("/files/write", json=body)
                    with lock:
                        if response.status_code == 200:
                            acked.append((sb["branch"], response.json()["commit_sha"], None))
                        else:
                            failures.append(f"{response.status_code} {response.text}")

        def commit_shared(n: int) -> None:
            with httpx.Client(base_url=server.base, headers=auth, timeout=60) as http:
                head = http.post("/sandbox/status", json=shared).json()["head"]
                written = 0
                while written < COMMITS_EACH:
                    body = {
                        **shared,
                        "path": "shared.txt",
                        "content": f"{n}:{written}\n",
                        "message": f"{n}/{written}",
                        "expected_head": head,
                    }
                    response = http.post("/files/write", json=body)
                    if response.status_code == 409:
                        head = response.json()["error"]["details"]["head"]
                        continue
                    with lock:
                        if response.status_code != 200:
                            failures.append(f"{response.status_code} {response.text}")
                            return
                        sha = response.json()["commit_sha"]
                        acked.append((shared["branch"], sha, head))
                    head, written = sha, written + 1

        runs: list[subprocess.CompletedProcess[str]] = []

        def maintain() -> None:
            command = [sys.executable, "-m", "draftroom", "maintenance", "run"]
            while not done.is_set():
                runs.append(
                    subprocess.run(
                        [*command, "--data-dir", str(server.data)],
                        capture_output=True,
                        text=True,
                        env=server.env,
                        timeout=120,
                    )
                )

        threads = [threading.Thread(target=commit_own, args=(sb,)) for sb in own]
        threads += [
            threading.Thread(target=commit_shared, args=(n,)) for n in range(SHARED_CLIENTS)
        ]
        maintainer = threading.Thread(target=maintain)
        maintainer.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        done.set()
        maintainer.join(timeout=300)

    assert failures == []
    assert len(acked) == (OWN_CLIENTS + SHARED_CLIENTS) * COMMITS_EACH
    finished = [run for run in runs if run.returncode == 0]
    assert finished, [run.stderr for run in runs]
    assert all("repack: " in run.stdout for run in finished)
    refused = [run for run in runs if run.returncode != 0]
    assert all("already running" in run.stdout for run in refused), [r.stdout for r in refused]
    gitdir = server.data / "orgs" / "default" / "demo.git"
    for branch, sha, expected in acked:
        on_branch = git(
            gitdir, "merge-base", "--is-ancestor", sha, f"refs/heads/{branch}", check=False
        )
        assert on_branch.returncode == 0, f"{sha} is not on {branch}"
        if expected is not None:  # compare-and-swap: built on the head it was given
            assert git(gitdir, "rev-parse", f"{sha}^").stdout.strip() == expected
    fsck = git(gitdir, "fsck", "--strict", "--no-dangling", check=False)
    assert fsck.returncode == 0, fsck.stderr
