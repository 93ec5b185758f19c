"""Two orgs on one service, each with a repository, credential and sandbox of the *same*
names: every tool, given any object of the other org (repository, ``SLUG/NAME``, branch,
reuse token, commit, merge request, sandbox, key, token or credential id), answers exactly as
for a missing object, and nothing of the other org changes. Over HTTP and MCP, on SQLite
and PostgreSQL; the CLI's commands in tests/adapters/test_cli_orgs_isolation.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pygit2
import pytest
from fastapi.testclient import TestClient

from draftroom import store
from draftroom.adapters.http import create_app
from draftroom.adapters.mcp_examples import example_call
from draftroom.config import Settings
from draftroom.domain.access import issue_api_key
from draftroom.domain.calls.services import Services
from draftroom.domain.repos import owner_principal, register_repository, setup_default
from draftroom.git import Repository
from draftroom.tools import build_registry
from draftroom.tools.registry import Tool
from tests.adapters.test_mcp import http_mcp_client, outcome_of, serving
from tests.domain.templates.conftest import write_template

REPO = "demo"
MISSING_TOKEN = "drt_0000000000000000_" + "x" * 43
MISSING_SHA = "0" * 40


@dataclass
class Tenant:
    """One org's keys and objects, all named like the other org's where names can clash."""

    slug: str
    id: int
    admin: str
    agent: str
    agent_id: str
    sandbox: dict[str, str]
    sandbox_id: int
    commit: str
    merge_id: int
    token_id: str
    credential: str
    person: str


def _tenant(client: TestClient, services: Services, slug: str) -> Tenant:
    with services.database.session() as session:
        org = store.get_or_create_org(session, slug)
        path = services.settings.data_dir / "orgs" / slug / f"{REPO}.git"
        register_repository(services, session, org.id, REPO, path=Repository.init(path).path)
        _, admin = issue_api_key(session, org.id, "admin")
        agent_key, agent = issue_api_key(session, org.id, "agent")
        org_id, agent_id = org.id, agent_key.id
    as_agent = {"Authorization": f"Bearer {agent}"}
    init = client.post("/sandbox/init", json={"repo_name": REPO}, headers=as_agent).json()
    sandbox = {"repo_name": REPO, "reuse_token": init["reuse_token"]}
    write = {**sandbox, "path": "a.txt", "content": slug, "message": "Write a.txt"}
    commit = client.post("/files/write", json=write, headers=as_agent).json()["commit_sha"]
    asked = client.post("/merge/request", json={**sandbox, "title": "Ship"}, headers=as_agent)
    with services.database.session() as session:
        record = store.get_repository(session, org_id, REPO)
        assert record is not None
        sandbox_found = store.get_sandbox(session, record.id, init["branch"])
        assert sandbox_found is not None
        sandbox_id = sandbox_found.id
    credential, person = f"{slug}-ci", f"ana@{slug}.example"
    as_admin = {"Authorization": f"Bearer {admin}"}
    hired = client.post("/admin/users", json={"email": person, "role": "member"}, headers=as_admin)
    assert hired.status_code == 201, hired.text
    added = client.post(
        "/admin/credentials",
        json={"name": credential, "token": "ghp_" + "a" * 36, "host": "github.com"},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert asked.status_code == 201 and added.status_code == 201, (asked.text, added.text)
    return Tenant(
        slug,
        org_id,
        admin,
        agent,
        agent_id,
        {**sandbox, "branch": init["branch"]},
        sandbox_id,
        commit,
        asked.json()["id"],
        init["reuse_token"].split("_")[1],
        credential,
        person,
    )


@pytest.fixture
def orgs(
    database_url: str, tmp_path: Path
) -> Iterator[tuple[TestClient, Services, Tenant, Tenant]]:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        public_url="https://draftroom.example",
        secret_key="isolation-test-secret-key-0123456789",
        token_failures_before_lockout=100_000,  # every case tries a wrong token on one key
    )
    services = Services(settings)
    setup_default(services)
    with TestClient(create_app(settings, services)) as client:
        acme, beta = _tenant(client, services, "acme"), _tenant(client, services, "beta")
        yield client, services, acme, beta


def _state(services: Services, org: Tenant) -> dict[str, Any]:
    """Everything of ``org`` a call could change: refs, rows, last-use times."""
    with services.database.session() as session:
        repos = store.list_repositories(session, org.id)
        refs = {
            r.name: {
                ref: str(pygit2.Repository(r.path).references[ref].target)
                for ref in pygit2.Repository(r.path).references
            }
            for r in repos
        }
        sandboxes = [
            (s.id, s.branch, s.status) for r in repos for s in store.list_sandboxes(session, r.id)
        ]
        tokens = [
            (t.id, t.revoked_at, t.expires_at, t.last_used_at)
            for s in sandboxes
            for t in store.list_reuse_tokens(session, s[0])
        ]
        keys = [(k.id, k.revoked_at, k.last_used_at) for k in store.list_api_keys(session, org.id)]
        merges = [
            (m.id, m.status, m.decided_at)
            for r in repos
            for m in store.list_merge_requests(session, repository_id=r.id)
        ]
        credentials = [c.name for c in store.list_upstream_credentials(session, org.id)]
    return {
        "refs": refs,
        "sandboxes": sandboxes,
        "tokens": tokens,
        "keys": keys,
        "merges": merges,
        "credentials": credentials,
    }


def _cases(
    tool: Tool, acme: Tenant, beta: Tenant
) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(what, payload naming beta's object, the same payload naming a missing one)."""
    base = example_call(tool.input_model.model_json_schema())
    fields = set(tool.input_model.model_fields)
    mine = {"repo_name": REPO, "reuse_token": acme.sandbox["reuse_token"]}
    cases: list[tuple[str, dict[str, Any], dict[str, Any]]] = []

    def case(what: str, foreign: dict[str, Any], missing: dict[str, Any]) -> None:
        cases.append((what, {**base, **foreign}, {**base, **missing}))

    if "reuse_token" in fields:
        theirs = beta.sandbox["reuse_token"]
        case("token", {**mine, "reuse_token": theirs}, {**mine, "reuse_token": MISSING_TOKEN})
        case(
            "SLUG/NAME and token",
            {"repo_name": "beta/demo", "reuse_token": theirs},
            {"repo_name": "beta/nothing", "reuse_token": MISSING_TOKEN},
        )
        case("SLUG/NAME", {**mine, "repo_name": "beta/demo"}, {**mine, "repo_name": "beta/nothing"})
        if "branch" in fields:
            case(
                "branch",
                {**mine, "branch": beta.sandbox["branch"]},
                {**mine, "branch": "sandbox-missing-one"},
            )
        for sha_field in {"commit_sha", "to"} & fields:
            case("commit", {**mine, sha_field: beta.commit}, {**mine, sha_field: MISSING_SHA})
    elif "repo_name" in fields:
        case("SLUG/NAME", {"repo_name": "beta/demo"}, {"repo_name": "beta/nothing"})
        if "branch" in fields:
            case(
                "branch",
                {"repo_name": REPO, "branch": beta.sandbox["branch"]},
                {"repo_name": REPO, "branch": "sandbox-missing-one"},
            )
    if tool.name.startswith("merge.") and "id" in fields:
        case("merge request", {"id": beta.merge_id}, {"id": 10**6})
    if tool.name in {"sandbox.archive", "sandbox.restore"}:
        case("sandbox", {"id": beta.sandbox_id}, {"id": 10**6})
    if tool.name == "admin.keys.revoke":
        case("key", {"id": beta.agent_id}, {"id": "0" * len(beta.agent_id)})
    if tool.name == "admin.tokens.revoke":
        case("reuse token id", {"token_id": beta.token_id}, {"token_id": "0" * len(beta.token_id)})
    if tool.name in {"admin.repos.sync", "admin.repos.resolve", "admin.repos.set"}:
        case("SLUG/NAME", {"name": "beta/demo"}, {"name": "beta/nothing"})
    if tool.name in {"admin.credentials.remove", "admin.credentials.add"}:
        case("credential", {"name": beta.credential}, {"name": "nothing-ci"})
    if tool.name in {"admin.users.remove", "admin.users.add"}:
        # Added as members: removing them later must not meet the last-owner rule.
        extra = {"role": "member"} if tool.name == "admin.users.add" else {}
        case("person", {"email": beta.person, **extra}, {"email": "nobody@beta.example", **extra})
    if tool.name == "admin.users.set":
        case(
            "person",
            {"email": beta.person, "role": "member"},
            {"email": "nobody@beta.example", "role": "member"},
        )
    if tool.name in {"sandbox.list", "admin.keys.create"}:
        field = "person" if tool.name == "sandbox.list" else "user"
        case("person", {field: beta.person}, {field: "nobody@beta.example"})
    if tool.name == "admin.credentials.add":
        cases[-1][1]["token"] = cases[-1][2]["token"] = "ghp_" + "b" * 36
    return cases


LISTS = {
    "sandbox.list",
    "merge.list",
    "admin.keys.list",
    "admin.credentials.list",
    "admin.errors",
    "admin.users.list",
    "admin.audit.verify",
    "admin.audit.export",
    "admin.alerts.test",
    "templates.list",
}
"""Tools that name no object: what they list (or report) must hold nothing of the other org."""
CREATES = {
    "sandbox.init",
    "admin.keys.create",
    "admin.repos.add",
    "admin.credentials.add_github_app",
}
"""Tools that name no object of another org, only what they create in the caller's own."""


def _http(client: TestClient, tool: Tool, key: str, payload: dict[str, Any]) -> tuple[int, Any]:
    path, rest = tool.path, dict(payload)
    for name in tool.path_params:
        path = path.replace("{" + name + "}", str(rest.pop(name)))
    headers = {"Authorization": f"Bearer {key}"}
    if tool.http_method == "GET":
        response = client.get(path, params=rest, headers=headers)
    else:
        response = client.post(path, json=rest, headers=headers)
    if response.headers.get("content-type", "").startswith("application/x-ndjson"):
        return response.status_code, [json.loads(line) for line in response.text.splitlines()]
    return response.status_code, response.json()


def _shape(body: Any, *names: str) -> Any:
    """An answer with what differs between the two calls (names, ids, branches) masked."""
    if not isinstance(body, dict) or "error" not in body:
        return "ok"
    error = dict(body["error"])
    error.pop("request_id", None)
    text = repr(error)
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "<object>")
    return re.sub(r"sandbox-[a-z]+-[a-z]+", "<branch>", text)


def _masks(acme: Tenant, beta: Tenant) -> tuple[str, ...]:
    return (
        "beta/demo",
        "beta/nothing",
        beta.sandbox["reuse_token"],
        MISSING_TOKEN,
        beta.commit,
        MISSING_SHA,
        beta.agent_id,
        "0" * len(beta.agent_id),
        beta.token_id,
        "0" * len(beta.token_id),
        beta.credential,
        "nothing-ci",
        beta.person,
        "nobody@beta.example",
        str(beta.merge_id),
        str(beta.sandbox_id),
        str(10**6),
    )


def test_every_tool_answers_for_another_orgs_objects_as_for_missing_ones_over_http(
    orgs: tuple[TestClient, Services, Tenant, Tenant],
) -> None:
    client, services, acme, beta = orgs
    before = _state(services, beta)
    tried: set[str] = set()
    for tool in build_registry():
        if tool.local_only:
            continue
        for what, foreign, missing in _cases(tool, acme, beta):
            tried.add(tool.name)
            got = _http(client, tool, acme.admin, foreign)
            expected = _http(client, tool, acme.admin, missing)
            assert got[0] == expected[0], (tool.name, what, got, expected)
            masks = _masks(acme, beta)
            assert _shape(got[1], *masks) == _shape(expected[1], *masks), (tool.name, what)
            assert _state(services, beta) == before, (tool.name, what)
    assert tried | LISTS | CREATES >= {t.name for t in build_registry() if not t.local_only}


def test_listing_tools_show_nothing_of_another_org(
    orgs: tuple[TestClient, Services, Tenant, Tenant],
) -> None:
    client, _, acme, beta = orgs
    # Not beta's branch name: names are random per repository and may repeat across orgs.
    secrets = [beta.credential, beta.agent_id, beta.token_id, beta.person]
    for name in LISTS:
        tool = build_registry().get(name)
        status, body = _http(client, tool, acme.admin, {})
        assert status == 200, (name, body)
        assert not [s for s in secrets if s in repr(body)], name
    status, body = _http(client, build_registry().get("merge.list"), acme.admin, {})
    assert [m["id"] for m in body["merge_requests"]] == [acme.merge_id]
    status, body = _http(client, build_registry().get("sandbox.list"), acme.admin, {})
    assert [s["id"] for s in body["sandboxes"]] == [acme.sandbox_id]


def test_the_same_repository_name_in_two_orgs_is_two_repositories(
    orgs: tuple[TestClient, Services, Tenant, Tenant],
) -> None:
    client, services, acme, beta = orgs
    for org in (acme, beta):
        headers = {"Authorization": f"Bearer {org.agent}"}
        read = {**org.sandbox, "path": "a.txt"}
        assert client.post("/files/read", json=read, headers=headers).json()["content"] == org.slug
        qualified = {**read, "repo_name": f"{org.slug}/{REPO}"}
        response = client.post("/files/read", json=qualified, headers=headers)
        assert response.json()["content"] == org.slug, "SLUG/NAME of one's own org works"
    with services.database.session() as session:
        paths = {store.get_repository(session, o.id, REPO).path for o in (acme, beta)}  # type: ignore[union-attr]
    assert len(paths) == 2


def test_every_tool_answers_for_another_orgs_objects_as_for_missing_ones_over_mcp(
    orgs: tuple[TestClient, Services, Tenant, Tenant],
) -> None:
    _, services, acme, beta = orgs
    before = _state(services, beta)
    tools = [t for t in build_registry() if not t.local_only]

    async def run(base: str) -> None:
        async with http_mcp_client(f"{base}/mcp", acme.admin, "auto") as client:
            for tool in tools:
                for what, foreign, missing in _cases(tool, acme, beta):
                    got = outcome_of(await client.call_tool(tool.operation_id, foreign))
                    expected = outcome_of(await client.call_tool(tool.operation_id, missing))
                    masks = _masks(acme, beta)
                    assert got[0] == expected[0], (tool.name, what, got, expected)
                    assert _shape(got[1], *masks) == _shape(expected[1], *masks), (tool.name, what)

    with serving(services) as base:
        anyio.run(run, base)
    assert _state(services, beta) == before


def test_an_orgs_templates_are_never_seen_or_used_by_another_org(
    orgs: tuple[TestClient, Services, Tenant, Tenant], tmp_path: Path
) -> None:
    client, services, acme, beta = orgs
    source = write_template(tmp_path / "t", name="beta-only")
    registry = build_registry()
    added = registry.invoke(
        registry.get("admin.templates.add"),
        services,
        owner_principal(services, beta.slug),
        {"source": str(source)},
        transport="cli",
    )
    assert added.model_dump()["owner"] == "beta"
    listing = registry.get("templates.list")
    names = {
        org.slug: [t["name"] for t in _http(client, listing, org.agent, {})[1]["templates"]]
        for org in (acme, beta)
    }
    assert "beta-only" in names["beta"] and "beta-only" not in names["acme"]
    init = registry.get("sandbox.init")
    project = {"repo_name": REPO, "mode": "project", "project_name": "P"}
    for key, status in ((acme.agent, 400), (beta.agent, 201)):
        got = _http(client, init, key, {**project, "template": "beta-only"})
        assert got[0] == status, got
    missing = _http(client, init, acme.agent, {**project, "template": "nothing-here"})
    foreign = _http(client, init, acme.agent, {**project, "template": "beta-only"})
    masks = ("'beta-only'", "'nothing-here'")
    assert _shape(foreign[1], *masks) == _shape(missing[1], *masks)


def test_the_daily_byte_quotas_count_each_orgs_repository_apart(
    database_url: str, tmp_path: Path
) -> None:
    """Two orgs' repositories of the same name: one org's writes never use up the other's."""
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        public_url="https://draftroom.example",
        secret_key="isolation-test-secret-key-0123456789",
        max_repo_growth_per_day=20,
    )
    services = Services(settings)
    setup_default(services)
    with TestClient(create_app(settings, services)) as client:
        acme, beta = _tenant(client, services, "acme"), _tenant(client, services, "beta")

        def write(org: Tenant, text: str) -> Any:
            body = {**org.sandbox, "path": "b.txt", "content": text, "message": "Write b.txt"}
            del body["branch"]
            headers = {"Authorization": f"Bearer {org.agent}"}
            return client.post("/files/write", json=body, headers=headers)

        assert write(acme, "x" * 12).status_code == 200  # acme: 4 + 12 of its 20 bytes
        assert write(beta, "y" * 8).status_code == 200, "beta: 4 + 8 of its own 20"
        over = write(acme, "z" * 5)  # acme: 16 + 5 > 20
        assert over.status_code == 413 and over.json()["error"]["details"]["used"] == 16
