"""Finding 5 of issue 13, as a new user meets it: the address served, a missing data dir,
and what a failed command prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from draftroom.tools.versions import LATEST
from tests.support.server import Server

DRAFTROOM = [sys.executable, "-m", "draftroom"]


def run(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DRAFTROOM_")}
    return subprocess.run(
        [*DRAFTROOM, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={**environ, **env},
    )


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_serve_on_another_port_names_it_in_banner_schema_and_gpt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.delenv("DRAFTROOM_PUBLIC_URL", raising=False)
    data = tmp_path / "data"
    with Server(data, workers=workers) as server:
        assert server.port != 8000
        banner = server.log.read_text()
        assert f"Serving on {server.base}  (schema: {server.base}/openapi.json)" in banner
        schema = httpx.get(f"{server.base}/openapi.json").json()
        assert schema["servers"] == [{"url": f"{server.base}/v{LATEST}"}]  # the newest version
        auth = {"Authorization": f"Bearer {server.admin_key}"}
        admin = httpx.get(f"{server.base}/admin/openapi.json", headers=auth).json()
        assert admin["servers"] == [{"url": server.base}]

        setup = run("gpt", "--data-dir", str(data))
        assert setup.returncode == 0, setup.stderr
        assert f"{server.base}/v{LATEST}/openapi.json" in setup.stdout
        assert "8000" not in setup.stdout
        assert "https" in setup.stderr and "DRAFTROOM_PUBLIC_URL" in setup.stderr
        assert setup.stderr.count("\n") == 1


@pytest.mark.slow
def test_public_url_wins_and_an_https_one_gets_no_warning(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run("key", "create", "--data-dir", str(data)).returncode == 0
    (data / "served.json").write_text(json.dumps({"host": "0.0.0.0", "port": 8123}))
    local = run("gpt", "--data-dir", str(data))
    assert (
        f"http://127.0.0.1:8123/v{LATEST}/openapi.json" in local.stdout
    )  # a wildcard: its loopback
    public = run("gpt", "--data-dir", str(data), DRAFTROOM_PUBLIC_URL="https://dr.example")
    assert public.returncode == 0
    assert f"https://dr.example/v{LATEST}/openapi.json" in public.stdout
    assert "127.0.0.1" not in public.stdout and public.stderr == ""


ADDING_NOTHING = [
    ["merge", "list"],
    ["merge", "show", "1"],
    ["merge", "approve", "1"],
    ["credential", "list"],
    ["token", "revoke", "abc"],
    ["gpt"],
    ["call", "merge.list"],
    ["call", "files.read", "--json", '{"repo_name": "demo", "reuse_token": "x", "path": "a"}'],
]


@pytest.mark.slow
@pytest.mark.parametrize("command", ADDING_NOTHING, ids=" ".join)
def test_a_command_adding_nothing_on_a_missing_data_dir_fails_in_one_line_creating_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    result = run(*command, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"no data dir at {tmp_path / '.draftroom'}" in result.stderr
    assert list(tmp_path.iterdir()) == []

    elsewhere = tmp_path / "nested" / "data"
    named = run(*command, "--data-dir", str(elsewhere), cwd=tmp_path)
    assert named.returncode == 1 and str(elsewhere) in named.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_cli_errors_are_one_line_and_the_json_log_only_with_verbose(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    assert run("key", "create", "--data-dir", data).returncode == 0

    quiet = run("merge", "show", "99", "--data-dir", data)
    assert quiet.returncode == 1
    assert quiet.stderr == "error: not_found: no merge request #99; list them with merge.list\n"

    verbose = run("--verbose", "merge", "show", "99", "--data-dir", data)
    assert verbose.returncode == 1
    logged, message = verbose.stderr.splitlines()
    assert json.loads(logged)["code"] == "not_found"
    assert message == quiet.stderr.strip()


@pytest.mark.slow
def test_an_unexpected_failure_is_one_line_too_and_its_traceback_only_with_verbose(
    tmp_path: Path,
) -> None:
    unreachable = {"DRAFTROOM_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    quiet = run("key", "create", "--data-dir", str(tmp_path), **unreachable)
    assert quiet.returncode == 1
    assert quiet.stderr.startswith("error: OperationalError: ") and quiet.stderr.count("\n") == 1
    verbose = run("--verbose", "key", "create", "--data-dir", str(tmp_path), **unreachable)
    assert verbose.returncode == 1 and "Traceback" in verbose.stderr
