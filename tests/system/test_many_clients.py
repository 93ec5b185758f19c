"""32 clients committing to one sandbox through 2 server processes lose nothing."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from draftroom import store
from tests.support.server import Server, git

CLIENTS = 32
COMMITS_EACH = 5


@pytest.mark.slow
def test_32_clients_on_one_sandbox_lose_no_acknowledged_commit(tmp_path: Path) -> None:
    with Server(tmp_path / "data", workers=2) as server:
        auth = {"Authorization": f"Bearer {server.admin_key}"}
        sb = server.start_sandbox()
        branch = sb.pop("branch")
        acked: dict[str, str] = {}  # sha -> path
        failures: list[str] = []
        lock = threading.Lock()
        go = threading.Barrier(CLIENTS)

        def client(n: int) -> None:
            with httpx.Client(base_url=server.base, headers=auth, timeout=60) as http:
                go.wait()
                for k in range(COMMITS_EACH):
                    path = f"c{n:02d}/{k}.txt"
                    if k % 2:  # half the commits are multi-file git.commit calls
                        body = {
                            **sb,
                            "message": f"{n}/{k}",
                            "changes": [{"path": path, "content": f"{n}:{k}\n"}],
                        }
                        response = http.post("/git/commit", json=body)
                    else:
                        body = {**sb, "path": path, "content": f"{n}:{k}\n", "message": f"{n}/{k}"}
                        response = http.post("/files/write", json=body)
                    with lock:
                        if response.status_code == 200:
                            acked[response.json()["commit_sha"]] = path
                        else:
                            failures.append(f"{response.status_code} {response.text}")

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert failures == []
        assert len(acked) == CLIENTS * COMMITS_EACH

        gitdir = server.data / "orgs" / "default" / "demo.git"
        on_branch = git(gitdir, "rev-list", f"main..{branch}").stdout.split()
        assert set(acked) == set(on_branch)
        for sha, path in acked.items():
            n, k = path[1:3], path[4]
            shown = git(gitdir, "show", f"{branch}:{path}").stdout
            assert shown == f"{int(n)}:{k}\n", (sha, path)
        fsck = git(gitdir, "fsck", "--strict", check=False)
        assert fsck.returncode == 0, fsck.stderr
        services = server.services()
        with services.database.session() as session:
            rows = session.scalar(
                select(func.count())
                .select_from(store.AuditEvent)
                .where(store.AuditEvent.branch == branch, store.AuditEvent.commit_sha.in_(acked))
            )
        services.database.dispose()
        assert rows == len(acked)
