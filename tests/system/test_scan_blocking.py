"""A large adversarial write is scanned off the event loop: ``/health`` never waits on it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.support.server import Server


@pytest.mark.slow
def test_health_answers_while_an_8_mib_adversarial_write_is_scanned(tmp_path: Path) -> None:
    with Server(tmp_path / "data") as server:
        auth = {"Authorization": f"Bearer {server.admin_key}"}
        init = httpx.post(
            f"{server.base}/sandbox/init", json={"repo_name": "demo"}, headers=auth, timeout=30
        )
        assert init.status_code == 201, init.text
        sb = {"repo_name": "demo", "reuse_token": init.json()["reuse_token"]}
        writing = threading.Event()
        done = threading.Event()
        answers: list[int] = []

        def write() -> None:
            try:
                with httpx.Client(base_url=server.base, headers=auth, timeout=120) as http:
                    for n in range(3):
                        content = ('"password"' * (8 * 1024 * 1024 // 10 - 1)) + f"{n:010d}"
                        body = {**sb, "path": f"big{n}.txt", "content": content, "message": "m"}
                        writing.set()
                        answers.append(http.post("/files/write", json=body).status_code)
            finally:
                done.set()

        writer = threading.Thread(target=write)
        writer.start()
        assert writing.wait(timeout=30)
        latencies: list[float] = []
        with httpx.Client(base_url=server.base, timeout=60) as http:
            while not done.is_set():
                started = time.perf_counter()
                assert http.get("/health").status_code == 200
                latencies.append(time.perf_counter() - started)
        writer.join(timeout=10)
        assert answers == [200, 200, 200]
        print(
            f"/health during 3 x 8 MiB writes: {len(latencies)} answers, max {max(latencies):.3f} s"
        )
        assert len(latencies) >= 10  # the writes took a while, and health kept answering
        assert max(latencies) <= 2, max(latencies)  # 21 s with the backtracking scanner
