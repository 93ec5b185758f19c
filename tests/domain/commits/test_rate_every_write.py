"""Every tool that writes a commit counts against the commit rate: undo, restore and sync too,
not only the file tools (issue 14, L2)."""

from __future__ import annotations

import pytest

from tests.support.api import AdminApi, Api, AppFactory, error, start_sandbox, write


def refused(api: Api, route: str, **body: object) -> None:
    response = api.client.post(route, json=body, headers=api.headers)
    assert response.status_code == 429, response.text
    assert error(response.json())["code"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= 60


@pytest.mark.parametrize("route", ["/sandbox/undo", "/git/restore", "/sandbox/sync"])
def test_undo_restore_and_sync_past_the_rate_are_429(make_app: AppFactory, route: str) -> None:
    api, services = make_app(max_commits_per_minute=3)
    admin = AdminApi(api.client, services)
    other = start_sandbox(api)
    write(api, other, "from-other.md", "x\n")
    request = api.post("/merge/request", expect=201, **other, title="Other")
    admin.post(f"/admin/merge_requests/{request['id']}/approve")
    sb = start_sandbox(api)
    first = write(api, sb, "a.md", "a\n")
    write(api, sb, "b.md", "b\n")
    write(api, sb, "c.md", "c\n")
    body = {"to": first} if route == "/git/restore" else {}

    refused(api, route, **sb, **body)


def test_undo_does_not_outrun_writes_under_the_limit(make_app: AppFactory) -> None:
    api, _ = make_app(max_commits_per_minute=4)
    sb = start_sandbox(api)
    write(api, sb, "a.md", "a\n")
    statuses = [
        api.client.post("/sandbox/undo", json=sb, headers=api.headers).status_code for _ in range(6)
    ]
    assert statuses == [200, 200, 200, 429, 429, 429]
