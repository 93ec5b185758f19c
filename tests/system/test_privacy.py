"""Privacy requests at the operator's shell: a person's data exported whole, then erased
with nothing personal left in the database, their keys refused, their sandboxes archived,
and the audit trail still verifying; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.config import Settings
from draftroom.domain.calls import Services
from draftroom.domain.repos.setup import setup_default
from tests.support.api import AdminApi, Api, start_sandbox

SECRET = "a privacy test secret, long enough"
EMAIL, NAME = "grace@example.com", "Grace Hopper-Personal"


def test_a_person_is_exported_then_erased_and_the_trail_still_verifies(
    database_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    settings = Settings(
        data_dir=data, database_url=database_url, secret_key=SECRET, audit_checkpoint_minutes=0
    )
    services = Services(settings)
    setup_default(services)
    env = {**os.environ, "DRAFTROOM_SECRET_KEY": SECRET, "DRAFTROOM_DATABASE_URL": database_url}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "draftroom", *args, "--data-dir", str(data)]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)

    with TestClient(create_app(settings, services)) as client:
        admin = AdminApi(client, services)
        admin.post("/admin/users", expect=201, email=EMAIL, role="member", name=NAME)
        key = admin.post("/admin/keys", expect=201, user=EMAIL, label=f"laptop of {NAME}")["key"]
        grace = Api(client, key)
        sb = start_sandbox(grace)
        grace.post("/files/write", **sb, path="a.md", content="hi", message="Add a")
        grace.post("/files/write", expect=400, **sb, path="../x", content="x", message="no")
        assert cli("audit", "checkpoint").returncode == 0

        exported = cli("privacy", "export", "--user", EMAIL, "-o", str(tmp_path / "grace.jsonl"))
        assert exported.returncode == 0, exported.stderr
        records = [json.loads(line) for line in (tmp_path / "grace.jsonl").read_text().splitlines()]
        kinds = [r["kind"] for r in records]
        assert kinds[0] == "profile" and records[0]["email"] == EMAIL
        assert "key" in kinds and "sandbox" in kinds and kinds.count("audit") >= 2
        assert {r["tool"] for r in records if r["kind"] == "audit"} >= {
            "sandbox.init",
            "files.write",
        }

        refused = cli("privacy", "erase", "--user", EMAIL)
        assert refused.returncode == 2 and "--yes" in refused.stderr
        erased = cli("privacy", "erase", "--user", EMAIL, "--yes")
        assert erased.returncode == 0, erased.stderr
        assert "audit rows pseudonymized" in erased.stdout

        assert client.get("/sandbox/list", headers=grace.headers).status_code in (401, 404)
        assert grace.client.post("/files/list", json=sb, headers=grace.headers).status_code == 401
        verified = cli("audit", "verify")
        assert verified.returncode == 0, verified.stderr

    with services.database.session() as session:
        sandbox = session.scalars(select(store.Sandbox)).all()
        assert [s.status for s in sandbox if s.branch == sb["branch"]] == ["archived"]
        erase_rows = session.scalars(
            select(store.AuditEvent).where(store.AuditEvent.tool == "admin.privacy.erase")
        ).all()
        assert len(erase_rows) == 1 and erase_rows[0].outcome == "ok"
        theirs = session.scalars(
            select(store.AuditEvent).where(store.AuditEvent.erased_at.is_not(None))
        ).all()
        assert len(theirs) >= 2
        assert all(r.user_id is None and r.api_key_id is None for r in theirs)
        assert all({"client", "message"}.isdisjoint(r.detail or {}) for r in theirs)
        assert any(r.outcome == "error" for r in theirs)
        dump = _dump(session)
    services.database.dispose()
    for personal in (EMAIL, NAME, "laptop of", key.split("_", 2)[2]):
        assert personal not in dump, f"{personal!r} is still in the database"


def _dump(session: object) -> str:
    """Every value of every table, as text."""
    meta = MetaData()
    engine = session.get_bind()  # type: ignore[attr-defined]
    meta.reflect(engine)
    out = []
    for table in meta.sorted_tables:
        for row in session.execute(select(table)):  # type: ignore[attr-defined]
            out.append(repr(tuple(row)))
    return "\n".join(out)
