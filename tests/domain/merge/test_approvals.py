"""Approvals name a person: who asked and who decided, a reviewer approving over HTTP with
their own key, and ``require_other_reviewer`` refusing an approval by whoever asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from draftroom import store
from draftroom.domain.access.tokens import issue_api_key
from draftroom.domain.calls import Services
from tests.support.api import AdminApi, Api, start_sandbox, write
from tests.support.people import services_on
from tests.support.person_keys import Person, add_person
from tests.support.trees import repo_of


@pytest.fixture
def services(database_url: str, tmp_path: Path) -> Services:
    return services_on(database_url, tmp_path / "data")


def ask(api: Api, path: str = "a.md") -> dict[str, Any]:
    """A new sandbox with one commit, and its merge request."""
    sb = start_sandbox(api)
    write(api, sb, path, "one\n")
    return api.post("/merge/request", expect=201, **sb, title=f"Add {path}")


def require_other_reviewer(client: TestClient, services: Services, on: bool = True) -> None:
    body = AdminApi(client, services).post(
        "/admin/repos/settings", name="demo", require_other_reviewer=on
    )
    assert body == {"name": "demo", "require_other_reviewer": on}


def approve(api: Api, request: dict[str, Any], expect: int = 200) -> dict[str, Any]:
    return api.post(f"/admin/merge_requests/{request['id']}/approve", expect=expect)


def asked_by(request: dict[str, Any]) -> tuple[str | None, str | None]:
    return request["requested_by"], request["requested_by_person"]


def decided_by(request: dict[str, Any]) -> tuple[str | None, str | None]:
    return request["decided_by"], request["decided_by_person"]


def named(person: Person) -> tuple[str, str]:
    return person.key_id, person.email


def test_a_reviewer_approves_with_their_own_key_and_both_people_are_named(
    client: TestClient, services: Services
) -> None:
    member = add_person(services, "mia@acme.test", "member", name="Mia")
    reviewer = add_person(services, "rex@acme.test", "reviewer")
    require_other_reviewer(client, services)

    asked = ask(member.api(client))
    assert asked_by(asked) == named(member) and asked["decided_by"] is None
    done = approve(reviewer.api(client), asked)

    assert done["status"] == "merged" and done["merge_sha"] == repo_of(services).head("main")
    assert asked_by(done) == named(member) and decided_by(done) == named(reviewer)
    listed = reviewer.api(client).get("/admin/merge_requests")["merge_requests"]
    assert [(asked_by(r), decided_by(r)) for r in listed] == [(named(member), named(reviewer))]
    with services.database.session() as session:
        record = store.get_merge_request(session, asked["id"])
        assert record is not None
        assert (record.requested_by_user_id, record.requested_by_key_id) == (
            member.user_id,
            member.key_id,
        )
        assert (record.decided_by_user_id, record.decided_by_key_id) == (
            reviewer.user_id,
            reviewer.key_id,
        )


def test_the_person_who_asked_cannot_approve_where_another_reviewer_is_required(
    client: TestClient, services: Services
) -> None:
    reviewer = add_person(services, "rex@acme.test", "reviewer")
    other = add_person(services, "ona@acme.test", "reviewer")
    require_other_reviewer(client, services)
    asked = ask(reviewer.api(client))  # a reviewer's key works in a sandbox too
    main = repo_of(services).head("main")
    with services.database.session() as session:  # the same person's second key
        org = store.get_or_create_org(session, services.settings.org)
        _, second = issue_api_key(session, org.id, "person", user_id=reviewer.user_id)

    for key in (reviewer.key, second):
        error = approve(Api(client, key), asked, expect=403)["error"]
        assert error["code"] == "self_approval"
        assert "requires another reviewer" in error["message"]
    assert repo_of(services).head("main") == main
    shown = other.api(client).get(f"/admin/merge_requests/{asked['id']}")
    assert shown["status"] == "pending" and shown["decided_by"] is None

    done = approve(other.api(client), asked)
    assert done["status"] == "merged" and decided_by(done) == named(other)


def test_the_person_who_asked_may_still_reject_it(client: TestClient, services: Services) -> None:
    reviewer = add_person(services, "rex@acme.test", "reviewer")
    require_other_reviewer(client, services)
    asked = ask(reviewer.api(client))

    done = reviewer.api(client).post(f"/admin/merge_requests/{asked['id']}/reject", reason="no")

    assert done["status"] == "rejected" and decided_by(done) == named(reviewer)


def test_without_the_setting_whoever_asked_approves_as_before(
    client: TestClient, services: Services
) -> None:
    reviewer = add_person(services, "rex@acme.test", "reviewer")
    require_other_reviewer(client, services, on=True)
    require_other_reviewer(client, services, on=False)
    asked = ask(reviewer.api(client))

    assert approve(reviewer.api(client), asked)["status"] == "merged"


def test_a_request_a_service_key_made_is_refused_to_that_key_alone(
    client: TestClient, services: Services
) -> None:
    require_other_reviewer(client, services)
    asker, other = AdminApi(client, services), AdminApi(client, services)
    asked = ask(asker)
    assert asked_by(asked) == (asker.key_id, None)

    assert approve(asker, asked, expect=403)["error"]["code"] == "self_approval"
    done = approve(other, asked)
    assert decided_by(done) == (other.key_id, None)
