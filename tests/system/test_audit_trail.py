"""The audit trail can be proven: every call chained per org, verified, checkpointed into git
and exported, on SQLite and PostgreSQL; edits, deletions and insertions made in the
database directly are named by ``audit verify``."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.config import Settings
from draftroom.domain.audit import COLUMNS, checkpoint
from draftroom.domain.audit.chain import row_hash
from draftroom.domain.calls import Services
from draftroom.domain.repos.setup import setup_default
from tests.support.api import AdminApi, Api, start_sandbox
from tests.support.server import Server

SECRET = "an audit test secret, long enough"


@pytest.fixture
def trail(database_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, Services, Api]]:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        public_url="https://draftroom.example",
        secret_key=SECRET,
        audit_checkpoint_minutes=0,
    )
    services = Services(settings)
    setup_default(services)
    with TestClient(create_app(settings, services)) as client:
        admin = AdminApi(client, services)
        admin.post("/admin/users", expect=201, email="ada@example.com", role="member")
        ada = Api(client, admin.post("/admin/keys", expect=201, user="ada@example.com")["key"])
        yield client, services, admin
        del ada
    services.database.dispose()


def _work(client: TestClient, services: Services, admin: Api) -> Api:
    """A person's calls: a sandbox, a commit, a refused write (error row)."""
    ada = Api(client, admin.post("/admin/keys", expect=201, user="ada@example.com")["key"])
    sb = start_sandbox(ada)
    ada.post("/files/write", **sb, path="notes.md", content="hello", message="Add notes")
    ada.post("/files/write", expect=400, **sb, path="../escape", content="x", message="no")
    return ada


def _verify(admin: Api) -> dict[str, Any]:
    return admin.get("/admin/audit/verify")


def _ids(services: Services) -> list[int]:
    with services.database.session() as session:
        return list(session.scalars(select(store.AuditEvent.id).order_by(store.AuditEvent.id)))


def test_export_has_one_record_per_call_with_every_field(
    trail: tuple[TestClient, Services, Api],
) -> None:
    client, services, admin = trail
    _work(client, services, admin)
    answer = client.get("/admin/audit/export", params={"format": "jsonl"}, headers=admin.headers)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/x-ndjson"
    records = [json.loads(line) for line in answer.text.splitlines()]
    with services.database.session() as session:
        in_org = session.scalars(select(store.AuditEvent).where(store.AuditEvent.org_id == 1))
        expected = sorted(e.id for e in in_org)
        assert [r["id"] for r in records] == expected
    commit = next(r for r in records if r["tool"] == "files.write" and r["status"] == "ok")
    assert set(commit) == set(COLUMNS)
    assert all(commit[c] is not None for c in COLUMNS if c != "code")
    assert commit["org"] == "default" and commit["user"] == "ada@example.com"
    refused = next(r for r in records if r["status"] == "error")
    assert refused["code"] == "invalid_path"
    assert records[1]["prev_hash"] == records[0]["hash"]
    as_csv = client.get("/admin/audit/export?format=csv", headers=admin.headers)
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    # The CSV export is a call too: its own row comes last.
    assert [int(r["id"]) for r in rows] == [r["id"] for r in records] + [records[-1]["id"] + 1]
    assert tuple(rows[0]) == COLUMNS
    later = client.get(
        "/admin/audit/export",
        params={"since": commit["at"], "format": "jsonl"},
        headers=admin.headers,
    )
    assert json.loads(later.text.splitlines()[0])["id"] == commit["id"]
    bad = client.get("/admin/audit/export?since=yesterday", headers=admin.headers)
    assert bad.status_code == 422 and "since" in bad.json()["error"]["message"]


def test_verify_names_the_row_edited_deleted_or_inserted_in_the_database(
    trail: tuple[TestClient, Services, Api],
) -> None:
    client, services, admin = trail
    _work(client, services, admin)
    found = _verify(admin)
    assert found["ok"] and found["rows"] >= 4
    ids = _ids(services)
    target = ids[2]
    events = store.AuditEvent.__table__
    with services.database.session() as session:
        original = session.execute(select(events).where(events.c.id == target)).one()._asdict()
        session.execute(update(events).where(events.c.id == target).values(tool="files.read"))
    assert _verify(admin)["broken_row_id"] == target
    with services.database.session() as session:  # undo the edit: whole again
        session.execute(update(events).where(events.c.id == target).values(tool=original["tool"]))
    assert _verify(admin)["ok"]
    with services.database.session() as session:
        session.execute(delete(events).where(events.c.id == target))
    broken = _verify(admin)
    assert not broken["ok"] and broken["broken_row_id"] == ids[3]
    with services.database.session() as session:
        session.execute(events.insert().values(original))  # put it back
    assert _verify(admin)["ok"]
    with services.database.session() as session:
        forged = {**original, "id": None, "request_id": "forged"}
        forged.pop("id")
        forged_id = session.execute(events.insert().values(forged)).inserted_primary_key[0]
    broken = _verify(admin)
    assert broken["broken_row_id"] == forged_id and "inserted" in broken["reason"]


def test_deleting_the_newest_rows_is_noticed(trail: tuple[TestClient, Services, Api]) -> None:
    client, services, admin = trail
    _work(client, services, admin)
    verified = _verify(admin)  # itself a row, chained after the work
    assert verified["ok"]
    events = store.AuditEvent.__table__
    with services.database.session() as session:
        last = session.scalar(
            select(events.c.id).where(events.c.org_id == 1).order_by(events.c.id.desc())
        )
        session.execute(delete(events).where(events.c.id == last))
    broken = _verify(admin)
    assert not broken["ok"] and broken["broken_row_id"] == last


def test_a_rewritten_database_and_chain_is_caught_by_the_git_checkpoint(
    trail: tuple[TestClient, Services, Api],
) -> None:
    client, services, admin = trail
    _work(client, services, admin)
    assert checkpoint(services) == 1  # the demo repository
    assert checkpoint(services) == 0  # nothing moved
    marked = _verify(admin)
    assert marked["ok"] and marked["checkpoints"] == 1
    # Rewrite a row and recompute every hash after it, and the head: a consistent forgery.
    with services.database.session() as session:
        rows = list(
            session.scalars(
                select(store.AuditEvent)
                .where(store.AuditEvent.org_id == 1)
                .order_by(store.AuditEvent.id)
            )
        )
        rows[1].tool = "files.read"
        previous = None
        for row in rows:
            row.prev_hash, row.hash = previous, row_hash(row, previous)
            previous = row.hash
        head = store.get_chain_head(session, 1)
        assert head is not None
        head.last_hash = previous
    broken = _verify(admin)
    assert not broken["ok"] and "checkpoint" in broken["reason"]


def test_concurrent_callers_keep_one_unbroken_chain(
    trail: tuple[TestClient, Services, Api],
) -> None:
    client, services, admin = trail
    ada = _work(client, services, admin)
    sandboxes = [start_sandbox(ada) for _ in range(4)]

    def write(n: int) -> None:
        sb = sandboxes[n % 4]
        ada.post("/files/write", **sb, path=f"f{n}.md", content=str(n), message=f"n{n}")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(24)))
    found = _verify(admin)
    assert found["ok"], found


def test_the_cli_prints_ok_or_names_the_row_and_exits_1(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"DRAFTROOM_SECRET_KEY": SECRET}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        import os

        return subprocess.run(
            [sys.executable, "-m", "draftroom", *args, "--data-dir", str(data)],
            capture_output=True, text=True, env={**os.environ, **env}, timeout=120,
        )  # fmt: skip

    settings = Settings(data_dir=data, secret_key=SECRET, audit_checkpoint_minutes=0)
    services = Services(settings)
    setup_default(services)
    with TestClient(create_app(settings, services)) as client:
        admin = AdminApi(client, services)
        admin.post("/admin/users", expect=201, email="ada@example.com", role="member")
        _work(client, services, admin)
    services.database.dispose()
    assert cli("audit", "checkpoint").stdout.strip() == "wrote 1 checkpoints"
    ok = cli("audit", "verify")
    assert ok.returncode == 0 and ok.stdout.startswith("ok ") and " rows" in ok.stdout
    exported = cli("audit", "export", "--format", "csv", "-o", str(tmp_path / "audit.csv"))
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "audit.csv").read_text())))
    assert rows and rows[0]["org"] == "default"
    services = Services(settings)
    target = _ids(services)[1]
    with services.database.session() as session:
        session.execute(
            update(store.AuditEvent.__table__)
            .where(store.AuditEvent.__table__.c.id == target)
            .values(repo="x")
        )
    services.database.dispose()
    broken = cli("audit", "verify")
    assert broken.returncode == 1 and f"row {target} does not verify" in broken.stderr


@pytest.mark.slow
def test_two_server_workers_writing_at_once_keep_one_chain(tmp_path: Path) -> None:
    env = {"DRAFTROOM_SECRET_KEY": SECRET}
    with Server(tmp_path / "data", workers=2, env=env) as server:
        sandboxes = [server.start_sandbox() for _ in range(4)]
        auth = {"Authorization": f"Bearer {server.admin_key}"}

        def write(n: int) -> int:
            body = {**sandboxes[n % 4], "path": f"f{n}.md", "content": str(n), "message": f"n{n}"}
            answer = httpx.post(f"{server.base}/files/write", json=body, headers=auth, timeout=60)
            return answer.status_code

        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(write, range(40))) == {200}
        found = httpx.get(f"{server.base}/admin/audit/verify", headers=auth, timeout=60).json()
    assert found["ok"] and found["rows"] >= 44, found
