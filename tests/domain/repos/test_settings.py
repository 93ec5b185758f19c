"""``admin.repos.set``: an admin turns ``require_other_reviewer`` on and off; anyone else,
and any repository the org does not have, is refused as every tool refuses them."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from draftroom import store
from draftroom.domain.calls import Services
from tests.support.api import AdminApi, Api
from tests.support.people import services_on
from tests.support.person_keys import add_person

ROUTE = "/admin/repos/settings"


@pytest.fixture
def services(database_url: str, tmp_path: Path) -> Services:
    return services_on(database_url, tmp_path / "data")


def required(services: Services) -> bool:
    with services.database.session() as session:
        org = store.get_or_create_org(session, services.settings.org)
        record = store.find_repository(session, org.id, "demo")
        assert record is not None
        return record.require_other_reviewer


def test_an_admin_turns_it_on_and_off_by_name_or_slug_and_name(
    client: TestClient, services: Services
) -> None:
    admin = AdminApi(client, services)
    assert not required(services)

    on = admin.post(ROUTE, name="demo", require_other_reviewer=True)
    assert on == {"name": "demo", "require_other_reviewer": True} and required(services)
    off = admin.post(ROUTE, name=f"{services.settings.org}/demo", require_other_reviewer=False)
    assert off == {"name": "demo", "require_other_reviewer": False} and not required(services)


def test_an_unknown_repository_gets_the_404_every_tool_gives(
    client: TestClient, services: Services, api: Api
) -> None:
    admin = AdminApi(client, services)
    elsewhere = api.post("/sandbox/init", expect=404, repo_name="nope")["error"]

    for name in ("nope", "beta-lab/demo"):
        error = admin.post(ROUTE, expect=404, name=name, require_other_reviewer=True)["error"]
        assert error["code"] == elsewhere["code"] == "repo_not_found"
        assert error["message"] == elsewhere["message"].replace("'nope'", repr(name))
    assert not required(services)


def test_only_an_admin_changes_it(client: TestClient, services: Services, api: Api) -> None:
    reviewer = add_person(services, "rex@acme.test", "reviewer").api(client)
    for caller in (api, reviewer):
        error = caller.post(ROUTE, expect=403, name="demo", require_other_reviewer=True)["error"]
        assert error["code"] == "insufficient_scope"
    missing = AdminApi(client, services).post(ROUTE, expect=422, name="demo")["error"]
    assert "require_other_reviewer" in missing["message"]
    assert not required(services)
