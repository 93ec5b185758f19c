"""The audit record in ``.logs/`` only grows: no rollback, undo, restore, sync or merge takes a
changelog entry away from a sandbox's tip (issue 14, M3)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from draftroom import store
from draftroom.domain.calls.services import Services
from tests.support.api import AdminApi, Api, start_sandbox, write
from tests.support.trees import logs, repo_of


def changelog(services: Services, ref: str) -> set[str]:
    return {path for path in logs(services, ref) if path.startswith(".logs/changelog/")}


def test_rolling_back_a_commit_keeps_its_changelog_entry(api: Api, services: Services) -> None:
    sb = start_sandbox(api)
    sha = write(api, sb, "a.md", "a\n")
    entries = changelog(services, sha)

    out = api.post("/git/rollback_commit", **sb, commit_sha=sha, reason="oops")

    assert entries < changelog(services, out["revert_sha"])
    assert "a.md" not in {e.path for e in repo_of(services).list_tree(out["revert_sha"]).entries}


def test_rolling_back_a_sync_keeps_the_entries_main_brought(
    api: Api, client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    a, b = start_sandbox(api), start_sandbox(api)
    write(api, a, "a.md", "from a\n")
    request = api.post("/merge/request", expect=201, **a, title="A")
    admin.post(f"/admin/merge_requests/{request['id']}/approve", strategy="merge")
    write(api, b, "b.md", "from b\n")
    synced = api.post("/sandbox/sync", **b)["commit_sha"]
    from_main = changelog(services, "main")

    out = api.post("/git/rollback_commit", **b, commit_sha=synced)

    assert from_main <= changelog(services, out["revert_sha"])


def test_every_audited_commit_keeps_its_entry_at_the_tip(
    api: Api, client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    a, b = start_sandbox(api), start_sandbox(api)
    write(api, a, "a.md", "from a\n")
    request = api.post("/merge/request", expect=201, **a, title="A")
    admin.post(f"/admin/merge_requests/{request['id']}/approve", strategy="merge")
    first = write(api, b, "b.md", "one\n")
    write(api, b, "c.md", "two\n")
    synced = api.post("/sandbox/sync", **b)["commit_sha"]
    api.post("/git/rollback_commit", **b, commit_sha=synced)
    api.post("/git/rollback_commit", **b, commit_sha=first)
    api.post("/sandbox/undo", **b, steps=2)
    api.post("/git/restore", **b, to=first)
    write(api, b, "d.md", "three\n")
    write(api, a, "a2.md", "again from a\n")
    request = api.post("/merge/request", expect=201, **a, title="A again")
    admin.post(f"/admin/merge_requests/{request['id']}/approve", strategy="squash")
    api.post("/sandbox/sync", **b)
    api.post("/git/restore", **b, to="main")
    api.post("/sandbox/undo", **b)
    last = write(api, b, "e.md", "four\n")
    api.post("/git/rollback_commit", **b, commit_sha=last)

    tip = changelog(services, repo_of(services).head(b["branch"]))
    with services.database.session() as session:
        events = store.list_audit_events(session, branch=b["branch"], outcome="ok", limit=1000)
        audited = [(e.commit_sha, e.request_id) for e in events if e.commit_sha]
    assert len(audited) == 13
    for sha, request_id in audited:
        assert changelog(services, sha) <= tip, sha
        assert any(request_id[:8] in path for path in tip), (sha, request_id)
    assert changelog(services, "main") <= tip
