"""What each person's key may do, over HTTP and MCP: an owner everything in the org, a reviewer
every sandbox and merge request, a member their own sandboxes, a person's agent key sandbox
tools only (an owner's too)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from draftroom.tools import build_registry
from tests.adapters.test_mcp import http_mcp_client, serving
from tests.support.api import error, start_sandbox, write
from tests.support.people import Caller, Org, org_on


@pytest.fixture
def org(database_url: str, tmp_path: Path) -> Iterator[Org]:
    with org_on(database_url, tmp_path) as found:
        yield found


def refused(caller: Caller, method: str, route: str, **body: object) -> str:
    """The error code of a call expected to be 403."""
    if method == "GET":
        answer = caller.get(route, expect=403, **body)
    else:
        answer = caller.post(route, expect=403, **body)
    code: str = error(answer)["code"]
    return code


def merge_request(caller: Caller, title: str) -> int:
    sandbox = start_sandbox(caller)
    write(caller, sandbox, f"{title}.md", f"{title}\n")
    request: int = caller.post("/merge/request", expect=201, **sandbox, title=title)["id"]
    return request


ADMIN_ROUTES = [
    ("GET", "/admin/keys", {}),
    ("POST", "/admin/keys", {"role": "agent"}),
    ("GET", "/admin/users", {}),
    ("POST", "/admin/users", {"email": "eve@example.com", "role": "owner"}),
    ("POST", "/admin/repos", {"name": "up", "upstream_url": "https://example.com/up.git"}),
    ("GET", "/admin/credentials", {}),
]


def test_an_owner_uses_the_admin_tools_of_its_org(org: Org) -> None:
    owner = org.member("olga@example.com", "owner")
    assert owner.post("/admin/users", expect=201, email="rita@example.com", role="reviewer")
    made = owner.post("/admin/keys", expect=201, user="rita@example.com")
    assert (made["role"], made["user"]) == ("person", "rita@example.com")
    keys = {k["id"]: k for k in owner.get("/admin/keys")["keys"]}
    assert keys[made["id"]]["user"] == "rita@example.com"
    assert [u["email"] for u in owner.get("/admin/users")["users"]] == [
        "olga@example.com",
        "rita@example.com",
    ]
    assert owner.get("/admin/credentials")["credentials"] == []
    assert owner.get("/admin/sandboxes")["sandboxes"] == []
    sandbox = start_sandbox(owner)
    assert owner.post("/sandbox/status", **sandbox)["branch"] == sandbox["branch"]


def test_a_reviewer_lists_and_decides_merge_requests_but_manages_nothing(org: Org) -> None:
    member = org.member("mia@example.com", "member")
    reviewer = org.member("rita@example.com", "reviewer")
    first, second = merge_request(member, "first"), merge_request(member, "second")

    listed = reviewer.get("/admin/sandboxes")["sandboxes"]
    assert [s["person"] for s in listed] == ["mia@example.com", "mia@example.com"]
    assert {r["id"] for r in reviewer.get("/admin/merge_requests")["merge_requests"]} == {
        first,
        second,
    }
    assert reviewer.get(f"/admin/merge_requests/{first}")["id"] == first
    rejected = reviewer.post(f"/admin/merge_requests/{first}/reject", reason="not now")
    assert rejected["status"] == "rejected"
    assert reviewer.post(f"/admin/merge_requests/{second}/approve")["status"] == "merged"
    for method, route, body in ADMIN_ROUTES:
        assert refused(reviewer, method, route, **body) == "insufficient_scope", route
    assert refused(reviewer, "POST", "/admin/sandboxes/1/archive") == "insufficient_scope"


def test_a_member_works_in_its_own_sandboxes_and_reviews_nothing(org: Org) -> None:
    member = org.member("mia@example.com", "member")
    request = merge_request(member, "mine")
    assert refused(member, "GET", "/admin/sandboxes") == "insufficient_scope"
    assert refused(member, "GET", "/admin/merge_requests") == "insufficient_scope"
    assert refused(member, "POST", f"/admin/merge_requests/{request}/approve") == (
        "insufficient_scope"
    )
    for method, route, body in ADMIN_ROUTES:
        assert refused(member, method, route, **body) == "insufficient_scope", route


def test_a_persons_agent_key_holds_sandbox_tools_only_even_for_an_owner(org: Org) -> None:
    org.person("olga@example.com", "owner")
    agent = org.key("olga@example.com", role="agent")
    sandbox = start_sandbox(agent)
    write(agent, sandbox, "a.md", "a\n")
    for method, route, body in [*ADMIN_ROUTES, ("GET", "/admin/sandboxes", {})]:
        assert refused(agent, method, route, **body) == "insufficient_scope", route
    keys = org.admin.get("/admin/keys")["keys"]
    assert [(k["role"], k["user"]) for k in keys if k["user"]] == [("agent", "olga@example.com")]


def test_a_person_key_is_never_admin_and_names_a_live_person_of_the_org(org: Org) -> None:
    org.person("olga@example.com", "owner")
    admin = org.admin
    both = admin.post("/admin/keys", expect=400, user="olga@example.com", role="admin")
    assert error(both)["code"] == "invalid_input"
    unknown = admin.post("/admin/keys", expect=404, user="nobody@example.com")
    assert error(unknown)["code"] == "not_found"
    service = admin.post("/admin/keys", expect=201)
    assert (service["role"], service["user"]) == ("agent", None)


def test_a_removed_persons_keys_are_refused_at_once(org: Org) -> None:
    owner = org.member("olga@example.com", "owner")
    org.person("otto@example.com", "owner")  # the org keeps an owner (never its last)
    agent = org.key("olga@example.com", role="agent")
    other = org.member("mia@example.com", "member")
    sandbox = start_sandbox(agent)
    owner.get("/admin/users")
    org.admin.post("/admin/users/olga@example.com/remove")
    assert error(owner.get("/admin/users", expect=401))["code"] == "unauthorized"
    assert error(agent.post("/sandbox/status", expect=401, **sandbox))["code"] == "unauthorized"
    assert start_sandbox(other)["branch"]


ROLES = ["owner", "reviewer", "member", "owner-agent"]
SCOPES = {
    "owner": {"sandbox", "review", "admin"},
    "reviewer": {"sandbox", "review"},
    "member": {"sandbox"},
    "owner-agent": {"sandbox"},
}


def test_over_mcp_each_role_lists_exactly_the_tools_it_may_call(org: Org) -> None:
    keys = {}
    for role in ("owner", "reviewer", "member"):
        org.person(f"{role}@example.com", role)
        keys[role] = org.key(f"{role}@example.com").headers["Authorization"].split()[1]
    keys["owner-agent"] = (
        org.key("owner@example.com", role="agent").headers["Authorization"].split()[1]
    )
    registry = [tool for tool in build_registry() if not tool.local_only]

    async def listed(key: str) -> set[str]:
        async with http_mcp_client(f"{base}/mcp", key, "auto") as client:
            return {tool.name for tool in (await client.list_tools()).tools}

    with serving(org.services) as base:
        for role in ROLES:
            expected = {tool.operation_id for tool in registry if tool.scope in SCOPES[role]}
            assert anyio.run(listed, keys[role]) == expected, role
