"""A reviewer's own key approves a request of a repository that publishes upstream: the
approval, flushed by a lazy load before publishing, must not hold SQLite's write lock while
publishing writes the outbox in its own session (it once answered 500 after 10 s)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from draftroom.adapters.http import create_app
from tests.support.api import start_sandbox
from tests.support.gitserver import GitServer, log
from tests.support.person_keys import add_person
from tests.support.upstream import REPO, mirrored, write


def test_a_person_approves_and_main_is_pushed_upstream(
    tmp_path: Path, git_server: GitServer, database_url: str
) -> None:
    services = mirrored(
        tmp_path / "data", git_server, upstream_worker=False, database_url=database_url
    )
    member = add_person(services, "mia@acme.test", "member")
    reviewer = add_person(services, "rex@acme.test", "reviewer")
    with TestClient(create_app(services.settings, services)) as client:
        asker = member.api(client)
        sandbox = start_sandbox(asker, REPO)
        write(asker, sandbox, 1)
        request = asker.post("/merge/request", expect=201, **sandbox, title="Note 1")
        approved = reviewer.api(client).post(f"/admin/merge_requests/{request['id']}/approve")

    assert approved["decided_by_person"] == "rex@acme.test"
    published = approved["preview"]["published"]
    assert (published["mode"], published["state"]) == ("push", "pushed")
    assert log(git_server.path(REPO), "main")[0] == approved["merge_sha"]
    services.database.dispose()
