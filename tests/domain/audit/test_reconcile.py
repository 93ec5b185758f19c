"""After a crash between the git write and the audit write, start-up reconciles from trailers."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.domain.access.tokens import issue_api_key
from draftroom.domain.audit import audit_key, reconcile, record_event, verify_chains
from draftroom.domain.calls import Services
from draftroom.git import Change
from tests.support.api import Api, start_sandbox
from tests.support.people import services_on
from tests.support.person_keys import add_person
from tests.support.trees import repo_of


def audit_rows(services: Services, sha: str) -> list[store.AuditEvent]:
    with services.database.session() as session:
        return list(
            session.scalars(select(store.AuditEvent).where(store.AuditEvent.commit_sha == sha))
        )


def test_commits_missing_from_the_audit_are_restored_from_their_trailers(
    app: tuple[Api, Services],
) -> None:
    api, services = app
    sb = start_sandbox(api)
    kept = api.post("/files/write", **sb, path="a.txt", content="a", message="m")
    lost = [
        api.post("/files/write", **sb, path=f"{i}.txt", content=str(i), message="m")
        for i in range(3)
    ]
    with services.database.session() as session:  # the crash: rows never written
        session.execute(
            delete(store.AuditEvent).where(
                store.AuditEvent.commit_sha.in_([c["commit_sha"] for c in lost])
            )
        )
    token_id = sb["reuse_token"].split("_")[1]
    create_app(services.settings, services)  # the restart
    for commit in lost:
        [row] = audit_rows(services, commit["commit_sha"])
        assert row.tool == "files.write" and row.outcome == "ok"
        assert row.request_id == commit["changelog_entry"]["request_id"]
        assert row.token_id == token_id and row.branch == sb["branch"] and row.repo == "demo"
        assert row.detail == {"reconciled": True}
    assert len(audit_rows(services, kept["commit_sha"])) == 1
    assert reconcile(services).inserted == []  # idempotent


def test_an_unaudited_commit_below_an_audited_head_is_reconciled(
    app: tuple[Api, Services],
) -> None:
    """Concurrent calls write audit rows in any order: a crash can lose an older commit's row
    while a newer commit's row landed, so an audited head must not end the walk."""
    api, services = app
    sb = start_sandbox(api)
    older = api.post("/files/write", **sb, path="a.txt", content="a", message="m")
    api.post("/files/write", **sb, path="b.txt", content="b", message="m")
    with services.database.session() as session:
        session.execute(
            delete(store.AuditEvent).where(store.AuditEvent.commit_sha == older["commit_sha"])
        )
    assert reconcile(services).inserted == [older["commit_sha"]]
    assert [row.tool for row in audit_rows(services, older["commit_sha"])] == ["files.write"]


def test_a_commit_written_by_a_killed_process_is_reconciled(app: tuple[Api, Services]) -> None:
    api, services = app
    sb = start_sandbox(api)
    repo = services.git(services.settings.repos_dir / "demo.git")
    result = repo.commit_changes(
        sb["branch"],
        [Change("x.txt", b"x")],
        message="written just before the kill",
        trailers={
            "Draftroom-Tool": "git.commit",
            "Draftroom-Request-Id": "req-killed",
            "Draftroom-Token-Id": "tok123456789",
        },
    )
    assert reconcile(services).inserted == [result.sha]
    [row] = audit_rows(services, result.sha)
    assert (row.tool, row.request_id, row.token_id) == ("git.commit", "req-killed", "tok123456789")


def test_the_walk_stops_at_the_base_branch(app: tuple[Api, Services]) -> None:
    api, services = app
    start_sandbox(api)
    assert reconcile(services).inserted == []  # main's commits carry no draftroom trailers


def test_an_audit_row_claiming_a_missing_commit_is_corrected_by_a_new_row_once(
    app: tuple[Api, Services],
) -> None:
    api, services = app
    sb = start_sandbox(api)
    ghost = "1" * 40
    with services.database.session() as session:
        claim = record_event(
            session,
            audit_key(services),
            request_id="r",
            tool="files.write",
            outcome="ok",
            duration_ms=1.0,
            repo="demo",
            branch=sb["branch"],
            commit_sha=ghost,
            org_id=1,
        )
    assert reconcile(services).missing == [ghost]
    assert reconcile(services).missing == []  # corrected once, not at every start
    with services.database.session() as session:
        row = session.scalars(
            select(store.AuditEvent).where(store.AuditEvent.error_code == "commit_missing")
        ).one()
        assert row.outcome == "error" and row.tool == "audit.reconcile"
        assert row.detail == {"reconciled": True, "missing_commit": ghost, "amends": claim.id}
    # Rows are never edited: the chain still verifies.
    assert verify_chains(services, [1]).ok


def test_a_persons_lost_commit_is_reconciled_naming_their_key_and_them(
    database_url: str, tmp_path: Path
) -> None:
    services = services_on(database_url, tmp_path / "data")
    mia = add_person(services, "mia@acme.test", "member")
    with TestClient(create_app(services.settings, services)) as client:
        api = mia.api(client)
        sb = start_sandbox(api)
        lost = api.post("/files/write", **sb, path="a.txt", content="a", message="m")
    with services.database.session() as session:  # the crash: the row never written
        session.execute(
            delete(store.AuditEvent).where(store.AuditEvent.commit_sha == lost["commit_sha"])
        )
        org_id = store.get_or_create_org(session, services.settings.org).id
        other = store.get_or_create_org(session, "beta-lab")
        _, foreign = issue_api_key(session, other.id, "admin")
    forged = repo_of(services).commit_changes(
        sb["branch"],
        [Change("x.txt", b"x")],
        message="names another org's key",
        trailers={"Draftroom-Tool": "git.commit", "Draftroom-Key": foreign.split("_")[1]},
    )

    assert reconcile(services).inserted == [forged.sha, lost["commit_sha"]]
    [row] = audit_rows(services, lost["commit_sha"])
    assert (row.api_key_id, row.user_id, row.org_id) == (mia.key_id, mia.user_id, org_id)
    [row] = audit_rows(services, forged.sha)
    assert (row.api_key_id, row.user_id, row.org_id) == (None, None, org_id)
