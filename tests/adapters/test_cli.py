"""The CLI as a new user runs it: serve on an empty directory, then curl with the printed key."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.server import free_port

DRAFTROOM = [sys.executable, "-m", "draftroom"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DRAFTROOM, *args], capture_output=True, text=True, timeout=60)


@pytest.mark.slow
def test_serve_on_an_empty_dir_creates_the_default_and_the_loop_works(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    env = {**os.environ, "DRAFTROOM_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    server = subprocess.Popen(
        [*DRAFTROOM, "serve", "--data-dir", str(data), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        key_file = data / "admin.key"
        assert first.startswith(f"Admin API key: in {key_file.resolve()} ")
        key = key_file.read_text().strip()
        assert key.startswith("drk_") and key not in first
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        auth = {"Authorization": f"Bearer {key}"}
        init = httpx.post(
            f"{base}/sandbox/init", json={"repo_name": "demo", "mode": "branch"}, headers=auth
        )
        assert init.status_code == 201, init.text
        sb = {"repo_name": "demo", "reuse_token": init.json()["reuse_token"]}
        wrote = httpx.post(
            f"{base}/files/write",
            json={**sb, "path": "hello.md", "content": "hi\n", "message": "Say hi"},
            headers=auth,
        )
        assert wrote.status_code == 200, wrote.text

        # The CLI works on the same data dir while the server runs, and the server sees it.
        created = run("key", "create", "--role", "agent", "--data-dir", str(data))
        assert created.returncode == 0, created.stderr
        agent_key = created.stdout.strip().splitlines()[-1]
        as_agent = {"Authorization": f"Bearer {agent_key}"}
        own = httpx.post(f"{base}/sandbox/init", json={"repo_name": "demo"}, headers=as_agent)
        assert own.status_code == 201, own.text
        # the admin's reuse token is bound to the admin's key: to the agent it is invalid
        read = httpx.post(f"{base}/files/read", json={**sb, "path": "hello.md"}, headers=as_agent)
        assert read.status_code == 401
        read = httpx.post(f"{base}/files/read", json={**sb, "path": "hello.md"}, headers=auth)
        assert read.json()["content"] == "hi\n"
        added = run("repo", "add", "extra", "--init", "--data-dir", str(data))
        assert added.returncode == 0, added.stderr
        other = httpx.post(f"{base}/sandbox/init", json={"repo_name": "extra"}, headers=auth)
        assert other.status_code == 201, other.text
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout:
            server.stdout.close()


@pytest.mark.slow
def test_repo_add_path_registers_an_existing_repository(tmp_path: Path) -> None:
    work = tmp_path / "work"
    subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True)
    (work / "f.txt").write_text("x")
    subprocess.run(["git", "-C", str(work), "add", "."], check=True)
    subprocess.run(
        ["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
        check=True,
    )
    result = run("repo", "add", "mine", "--path", str(work), "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 0, result.stderr
    again = run("repo", "add", "mine", "--path", str(work), "--data-dir", str(tmp_path / "d"))
    assert again.returncode == 1 and "already_exists" in again.stderr


@pytest.mark.slow
def test_gpt_prints_instructions_schema_url_and_auth(tmp_path: Path) -> None:
    env = {**os.environ, "DRAFTROOM_PUBLIC_URL": "https://dr.example"}
    result = subprocess.run(
        [*DRAFTROOM, "gpt", "--data-dir", str(tmp_path)], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0
    assert "https://dr.example/v2/openapi.json" in result.stdout  # pinned: see docs/api-versions.md
    assert "reuse_token" in result.stdout and "Bearer" in result.stdout
    pinned = subprocess.run(
        [*DRAFTROOM, "gpt", "--data-dir", str(tmp_path), "--api", "v1"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert pinned.returncode == 0 and "https://dr.example/v1/openapi.json\n" in pinned.stdout
    mcp = [*DRAFTROOM, "mcp", "--data-dir", str(tmp_path), "--api", "v9"]
    bad = subprocess.run(mcp, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    assert bad.returncode == 1 and "unknown API version 'v9'; use one of v1, v2" in bad.stderr


@pytest.mark.slow
def test_gpt_prints_the_oauth_settings_after_the_key_setup(tmp_path: Path) -> None:
    env = {**os.environ, "DRAFTROOM_PUBLIC_URL": "https://dr.example"}
    result = subprocess.run(
        [*DRAFTROOM, "gpt", "--data-dir", str(tmp_path)], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    key_setup, _, oauth = result.stdout.partition(
        "(set DRAFTROOM_PUBLIC_URL to its public https address)."
    )
    assert "== Actions ==" in key_setup and "Authentication: API Key" in key_setup
    for line in (
        "Authentication: OAuth.",
        "draftroom oauth client add --name",
        "Authorization URL: https://dr.example/oauth/authorize",
        "Token URL: https://dr.example/oauth/token",
        "Scope: draftroom",
    ):
        assert line in oauth, line


@pytest.mark.slow
def test_gpt_toolsets_go_into_the_import_url(tmp_path: Path) -> None:
    env = {**os.environ, "DRAFTROOM_PUBLIC_URL": "https://dr.example"}
    gpt = [*DRAFTROOM, "gpt", "--data-dir", str(tmp_path), "--toolsets"]
    result = subprocess.run([*gpt, "workspace,core"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "https://dr.example/v2/openapi.json?toolsets=core,workspace\n" in result.stdout
    bad = subprocess.run([*gpt, "nope"], capture_output=True, text=True, env=env)
    assert bad.returncode == 1 and "valid toolsets: core" in bad.stderr
