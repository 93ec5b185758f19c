"""What a first ``draftroom serve`` leaves behind: the admin key only in ``admin.key``, never
in the server's output, and every secret-bearing file readable by its owner only."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from draftroom import store
from tests.support.server import Server


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.slow
def test_first_start_keeps_the_admin_key_out_of_the_log_and_files_private(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    with Server(data) as server:
        key = server.admin_key
        auth = {"Authorization": f"Bearer {key}", "X-Forwarded-For": "203.0.113.9"}
        status = httpx.post(f"{server.base}/sandbox/status", json={}, headers=auth, timeout=30)
        assert status.status_code == 422
        log = server.log.read_text()
        database = data / "draftroom.db"
        files = [data / "admin.key", database, Path(f"{database}-wal"), Path(f"{database}-shm")]
        modes = {path.name: mode(path) for path in files}
    secret = key[len("drk_") + 12 + 1 :]  # the secret may itself start with "_"
    assert key.startswith("drk_") and secret not in log
    assert f"Admin API key: in {(data / 'admin.key').resolve()}" in log
    assert modes == dict.fromkeys(modes, 0o600)
    services = server.services()
    with services.database.session() as session:
        rows = session.scalars(select(store.AuditEvent)).all()
        # loopback is no trusted proxy unless configured: its X-Forwarded-For is not believed
        assert [row.detail["client"] for row in rows if row.tool == "sandbox.status"] == [
            "127.0.0.1"
        ]
    services.database.dispose()
