"""A maintenance run: each step does what it reports, one run at a time, on a schedule."""

from __future__ import annotations

import os
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest

from draftroom import store
from draftroom.domain.calls import Services
from draftroom.domain.maintenance import maintenance_due, run_maintenance
from draftroom.errors import Conflict
from draftroom.store import utc_now
from tests.support.api import AdminApi, Api, AppFactory, start_sandbox, write

WEEKS_3 = 21 * 24 * 3600


def gitdir(services: Services) -> Path:
    with services.database.session() as session:
        org = store.get_or_create_org(session, services.settings.org)
        record = store.get_repository(session, org.id, "demo")
        assert record is not None
        return Path(record.path)


def git(repo: Path, *args: str, check: bool = True, stdin: str | None = None) -> str:
    done = subprocess.run(
        ["git", f"--git-dir={repo}", *args],
        capture_output=True,
        text=True,
        input=stdin,
        check=check,
    )
    return done.stdout.strip()


def loose_object(repo: Path, content: str, age: float = 0) -> str:
    """An unreachable loose blob (what a commit refused as a stale head leaves), ``age`` s old."""
    sha = git(repo, "hash-object", "-w", "--stdin", stdin=content)
    path = repo / "objects" / sha[:2] / sha[2:]
    os.utime(path, (time.time() - age, time.time() - age))
    return sha


def exists(repo: Path, sha: str) -> bool:
    return subprocess.run(["git", f"--git-dir={repo}", "cat-file", "-e", sha]).returncode == 0


def test_repack_prunes_only_unreachable_objects_older_than_two_weeks(
    api: Api, services: Services
) -> None:
    sb = start_sandbox(api)
    shas = [write(api, sb, f"{n}.txt", f"{n}\n") for n in range(3)]
    repo = gitdir(services)
    old = loose_object(repo, "left by a refused commit\n", age=WEEKS_3)
    recent = loose_object(repo, "refused a minute ago\n", age=60)
    report = run_maintenance(services)
    repack = report.steps[0]
    assert repack.name == "repack" and repack.failures == []
    assert repack.counts["repositories"] == 1 and repack.counts["loose_objects_removed"] > 0
    assert not exists(repo, old) and exists(repo, recent)
    assert all(exists(repo, sha) for sha in shas)
    assert git(repo, "count-objects", "-v").count("packs: 1") == 1
    git(repo, "fsck", "--strict", "--no-dangling")
    assert api.post("/files/read", **sb, path="2.txt")["content"] == "2\n"


def test_stale_git_locks_go_and_live_or_own_locks_stay(api: Api, services: Services) -> None:
    sb = start_sandbox(api)
    write(api, sb, "a.txt", "a\n")
    repo = gitdir(services)
    ref_lock = repo / "refs" / "heads" / f"{sb['branch']}.lock"
    packed = repo / "packed-refs.lock"
    fresh = repo / "config.lock"
    for path, age in ((ref_lock, 60), (packed, 7200), (fresh, 1)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("crashed\n")
        os.utime(path, (time.time() - age, time.time() - age))
    own = sorted((repo / "draftroom" / "locks").glob("*.lock"))
    assert own  # the branch's flock file, made by the commit above
    step = run_maintenance(services).steps[1]
    assert step.name == "stale_locks"
    assert sorted(step.counts["removed"]) == sorted(
        [f"demo: refs/heads/{sb['branch']}.lock", "demo: packed-refs.lock"]
    )
    assert fresh.exists() and not ref_lock.exists() and not packed.exists()
    assert set(own) <= set((repo / "draftroom" / "locks").glob("*.lock"))  # none deleted
    fresh.unlink()
    write(api, sb, "b.txt", "b\n")  # the branch moves again


def test_expired_tokens_past_their_grace_are_purged(api: Api, services: Services) -> None:
    old, kept = start_sandbox(api), start_sandbox(api)
    grace = services.settings.token_grace_days
    with services.database.session() as session:
        for sb, days in ((old, grace + 1), (kept, grace - 1)):
            token = store.get_reuse_token(session, sb["reuse_token"].split("_")[1])
            assert token is not None
            token.expires_at = utc_now() - timedelta(days=days)
    step = run_maintenance(services).steps[2]
    assert step.name == "purge_credentials"
    assert step.counts["reuse_tokens"] == 1
    assert "deleted 1 reuse tokens" in step.summary
    gone = api.post("/sandbox/status", expect=401, **old)["error"]["code"]
    assert gone == "unauthorized"
    assert api.post("/sandbox/renew", **kept)["branch"] == kept["branch"]  # within its grace


def test_idle_sandboxes_are_archived_and_can_be_restored(
    make_app: AppFactory,
) -> None:
    api, services = make_app(sandbox_idle_days=30)
    idle, busy = start_sandbox(api), start_sandbox(api)
    write(api, idle, "keep.txt", "mine\n")
    with services.database.session() as session:
        org = store.get_or_create_org(session, services.settings.org)
        record = store.get_repository(session, org.id, "demo")
        assert record is not None
        sandbox = store.get_sandbox(session, record.id, idle["branch"])
        assert sandbox is not None
        sandbox.last_active_at = utc_now() - timedelta(days=31)
        sandbox_id = sandbox.id
    step = run_maintenance(services).steps[3]
    assert step.name == "archive_idle"
    assert step.counts["archived"] == [
        {"sandbox_id": sandbox_id, "sandbox": f"demo/{idle['branch']}"}
    ]
    refused = api.post("/files/read", expect=403, **idle, path="keep.txt")
    assert "archived" in refused["error"]["message"]
    api.post("/files/read", expect=404, **busy, path="keep.txt")  # still active
    AdminApi(api.client, services).post(f"/admin/sandboxes/{sandbox_id}/restore")
    assert api.post("/files/read", **idle, path="keep.txt")["content"] == "mine\n"


def test_one_run_at_a_time_across_nodes(services: Services) -> None:
    now = utc_now()
    with services.database.session() as session:
        assert store.maintenance.claim_lease(session, "other-node", now, now + timedelta(hours=1))
    with pytest.raises(Conflict, match="already running"):
        run_maintenance(services)
    with services.database.session() as session:
        store.maintenance.release_lease(session, "other-node", utc_now())
    assert [step.name for step in run_maintenance(services).steps] == [
        "repack",
        "stale_locks",
        "purge_credentials",
        "archive_idle",
    ]


def test_a_run_is_due_hours_after_the_last_on_any_node(services: Services) -> None:
    services.settings.maintenance_hours = 2
    start = utc_now()
    assert not maintenance_due(services, start, start + timedelta(hours=1))
    assert maintenance_due(services, start, start + timedelta(hours=2))
    run_maintenance(services)
    assert not maintenance_due(services, start - timedelta(hours=5), utc_now())
    services.settings.maintenance_hours = 0
    assert not maintenance_due(services, start, start + timedelta(days=9))


def test_the_server_runs_maintenance_on_its_schedule_and_audits_it(
    make_app: AppFactory,
) -> None:
    _, services = make_app(maintenance_hours=0.0003)  # about a second
    deadline = time.monotonic() + 30
    rows: list[store.AuditEvent] = []
    while time.monotonic() < deadline and not rows:
        with services.database.session() as session:
            events = store.list_audit_events(session)
            rows = [e for e in events if e.tool == "admin.maintenance.run"]
            session.expunge_all()
        time.sleep(0.2)
    assert rows, "no scheduled run within 30 s"
    detail = rows[0].detail or {}
    assert detail["transport"] == "schedule"
    assert [step["name"] for step in detail["steps"]][:2] == ["repack", "stale_locks"]
