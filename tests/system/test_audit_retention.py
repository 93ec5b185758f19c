"""Retention: rows past DRAFTROOM_AUDIT_RETENTION_DAYS go to a sealed archive and leave the
database; the chain still verifies from the archived head (checkpoints naming archived rows
included); a changed archive is named; undelivered rows wait for the sink."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from draftroom import store
from draftroom.config import Settings
from draftroom.domain.audit import audit_key, checkpoint, record_event, retain
from draftroom.domain.calls import Services
from draftroom.domain.repos.setup import setup_default
from draftroom.store import utc_now

SECRET = "a retention test secret, long enough"


def _rows(services: Services) -> int:
    with services.database.session() as session:
        return int(session.scalar(select(func.count()).select_from(store.AuditEvent)) or 0)


def _write(services: Services, n: int, days_ago: float) -> None:
    key = audit_key(services)
    for i in range(n):
        with services.database.session() as session:
            record_event(
                session, key, request_id=f"r{days_ago}-{i}", tool="files.write", outcome="ok",
                duration_ms=1.0, org_id=1, at=utc_now() - timedelta(days=days_ago, seconds=n - i),
            )  # fmt: skip


def test_old_rows_are_archived_sealed_and_the_chain_goes_on(
    database_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    settings = Settings(
        data_dir=data, database_url=database_url, secret_key=SECRET, audit_retention_days=1
    )
    services = Services(settings)
    setup_default(services)
    _write(services, 7, days_ago=3)
    assert checkpoint(services) == 1  # names the 7th (old) row
    _write(services, 3, days_ago=0)
    env = {**os.environ, "DRAFTROOM_SECRET_KEY": SECRET, "DRAFTROOM_DATABASE_URL": database_url}
    env["DRAFTROOM_AUDIT_RETENTION_DAYS"] = "1"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "draftroom", *args, "--data-dir", str(data)]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)

    retained = cli("audit", "retain")
    assert retained.returncode == 0, retained.stderr
    assert retained.stdout.strip() == "archived 7 rows into 1 sealed files"
    archives = sorted((data / "audit-archive" / "org-1").glob("*.jsonl"))
    assert len(archives) == 1 and len(archives[0].read_text().splitlines()) == 7
    assert Path(f"{archives[0]}.sha256").exists()
    verified = cli("audit", "verify")
    assert verified.returncode == 0 and verified.stdout.startswith("ok "), verified.stderr
    assert retain(services).archived == 0  # nothing old is left
    archives[0].write_text(archives[0].read_text().replace("files.write", "files.read", 1))
    broken = cli("audit", "verify")
    assert broken.returncode == 1 and "does not match its seal" in broken.stderr
    services.database.dispose()


def test_rows_a_sink_has_not_taken_are_kept(database_url: str, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_key=SECRET,
        audit_retention_days=1,
        audit_sink=f"file://{tmp_path}/never.jsonl",
    )
    services = Services(settings)
    setup_default(services)
    _write(services, 4, days_ago=3)
    before = _rows(services)
    assert retain(services).archived == 0 and _rows(services) == before
    services.database.dispose()
