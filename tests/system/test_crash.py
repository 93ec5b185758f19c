"""kill -9 during a stream of commits loses nothing that was acknowledged."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from draftroom import store
from tests.support.server import Server, git


def commit_stream(
    server: Server, sb: dict[str, str], acked: list[str], stop: threading.Event, name: str
) -> None:
    """Write files one after another until the server goes away; keep every 200's sha."""
    auth = {"Authorization": f"Bearer {server.admin_key}"}
    with httpx.Client(base_url=server.base, headers=auth, timeout=30) as client:
        n = 0
        while not stop.is_set():
            n += 1
            path = f"stream/{name}/{n}.txt"
            body = {**sb, "path": path, "content": f"{n}\n", "message": f"w{n}"}
            try:
                response = client.post("/files/write", json=body)
            except httpx.TransportError:
                return  # killed mid-request: not acknowledged
            if response.status_code == 200:
                acked.append(response.json()["commit_sha"])
            else:
                assert response.status_code == 409, response.text  # a crash-left ref lock


@pytest.mark.slow
def test_kill_9_mid_stream_loses_no_acknowledged_commit(tmp_path: Path) -> None:
    server = Server(tmp_path / "data")
    server.start()
    try:
        auth = {"Authorization": f"Bearer {server.admin_key}"}
        sb = server.start_sandbox()
        branch = sb.pop("branch")
        acked: list[str] = []
        for round_ in range(6):
            stop = threading.Event()
            # several writers keep the server busy, so the kill lands mid-commit more often
            writers = [
                threading.Thread(
                    target=commit_stream, args=(server, sb, acked, stop, f"{round_}-{w}")
                )
                for w in range(4)
            ]
            for writer in writers:
                writer.start()
            started = len(acked)
            deadline = time.monotonic() + 20
            while len(acked) < started + 10 + 3 * round_ and time.monotonic() < deadline:
                time.sleep(0.005)
            server.kill()
            stop.set()
            for writer in writers:
                writer.join(timeout=30)
            server.start()
        assert len(acked) >= 60

        gitdir = server.data / "orgs" / "default" / "demo.git"
        fsck = git(gitdir, "fsck", "--strict", check=False)
        assert fsck.returncode == 0, fsck.stdout + fsck.stderr
        for sha in acked:
            assert (
                git(gitdir, "merge-base", "--is-ancestor", sha, branch, check=False).returncode == 0
            )
        on_branch = git(gitdir, "rev-list", f"main..{branch}").stdout.split()
        services = server.services()
        with services.database.session() as session:
            audited = {
                row.commit_sha: row
                for row in session.scalars(
                    select(store.AuditEvent).where(store.AuditEvent.branch == branch)
                )
                if row.commit_sha
            }
        assert set(on_branch) <= set(audited), "a commit on the branch has no audit row"
        claimed = {sha for sha, row in audited.items() if row.outcome == "ok"}
        assert claimed <= set(on_branch), "an audit row claims a commit the branch lacks"

        # and the branch still takes commits after the crashes
        stop = threading.Event()
        stop_after_one: list[str] = []
        deadline = time.monotonic() + 30
        while not stop_after_one and time.monotonic() < deadline:
            body = {**sb, "path": "after.txt", "content": "ok\n", "message": "after"}
            response = httpx.post(f"{server.base}/files/write", json=body, headers=auth, timeout=30)
            if response.status_code == 200:
                stop_after_one.append(response.json()["commit_sha"])
            else:
                assert response.status_code == 409, response.text
                time.sleep(0.5)
        assert stop_after_one
        services.database.dispose()
    finally:
        server.stop()
