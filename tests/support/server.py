"""A real ``draftroom serve`` process on a data dir, for crash and concurrency tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from draftroom.config import Settings
from draftroom.domain.calls import Services

LIMITS_OFF = {
    "DRAFTROOM_MAX_COMMITS_PER_MINUTE": "1000000",
    "DRAFTROOM_MAX_SANDBOXES_PER_KEY": "1000000",
    "DRAFTROOM_MAX_SANDBOX_BYTES_PER_DAY": str(2**50),
    "DRAFTROOM_MAX_REPO_GROWTH_PER_DAY": str(2**50),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """``draftroom serve`` on ``data``; ``kill()`` is SIGKILL, ``start()`` serves again."""

    def __init__(
        self,
        data: Path,
        workers: int = 1,
        env: dict[str, str] | None = None,
        args: list[str] | None = None,
        python: str | Path = sys.executable,
    ) -> None:
        self.data = data
        self.python = str(python)
        """The interpreter that serves (a fresh environment's, for the plugin tests)."""
        self.workers = workers
        self.args = args or []
        self.env = {**os.environ, **LIMITS_OFF, **(env or {})}
        if python != sys.executable:  # its own .pth names the code: no PYTHONPATH
            self.env.pop("PYTHONPATH", None)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data.parent / "server.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin_key(self) -> str:
        return (self.data / "admin.key").read_text().strip()

    def start(self, timeout: float = 60) -> None:
        command = [self.python, "-m", "draftroom", "serve", "--data-dir", str(self.data)]
        command += ["--port", str(self.port), "--workers", str(self.workers), *self.args]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=self.env, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError(f"server did not start:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL the whole process group (uvicorn's workers too): no cleanup runs."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def start_sandbox(self) -> dict[str, str]:
        """A new sandbox on ``demo``, opened as the admin over the real socket."""
        auth = {"Authorization": f"Bearer {self.admin_key}"}
        init = httpx.post(
            f"{self.base}/sandbox/init", json={"repo_name": "demo"}, headers=auth, timeout=30
        )
        assert init.status_code == 201, init.text
        out = init.json()
        return {"repo_name": "demo", "branch": out["branch"], "reuse_token": out["reuse_token"]}

    def services(self) -> Services:
        """The data dir's database and repositories, opened from this test process."""
        return Services(Settings(data_dir=self.data))

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def git(gitdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(gitdir), *args], capture_output=True, text=True, check=check
    )
