"""``draftroom maintenance run``: a line per step, audited like any CLI tool call; refused
while another run holds the lease."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

from draftroom import store
from draftroom.domain.calls import Services
from draftroom.store import utc_now


def maintenance(services: Services) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "draftroom", "maintenance", "run"]
    data = str(services.settings.data_dir)
    return subprocess.run(
        [*command, "--data-dir", data], capture_output=True, text=True, timeout=120
    )


def test_each_step_prints_what_it_did_and_the_run_is_audited(services: Services) -> None:
    done = maintenance(services)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "repack",
        "stale_locks",
        "purge_credentials",
        "archive_idle",
    ]
    assert lines[0].startswith("repack: 1 repositories repacked")
    with services.database.session() as session:
        rows = [e for e in store.list_audit_events(session) if e.tool == "admin.maintenance.run"]
        assert len(rows) == 1 and rows[0].outcome == "ok"
        detail = rows[0].detail or {}
    assert detail["transport"] == "cli"
    assert [step["name"] for step in detail["steps"]][-1] == "archive_idle"


def test_a_run_while_another_holds_the_lease_is_refused(services: Services) -> None:
    now = utc_now()
    with services.database.session() as session:
        assert store.maintenance.claim_lease(session, "node-b", now, now + timedelta(hours=1))
    refused = maintenance(services)
    assert refused.returncode == 1
    assert "maintenance is already running" in refused.stdout + refused.stderr
