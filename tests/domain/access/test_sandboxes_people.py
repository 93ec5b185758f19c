"""A sandbox started for a person is theirs: it opens with any of their live keys, never with
another person's (whatever their role), and is listed under their email."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.api import error, start_sandbox, write
from tests.support.people import Caller, Org, org_on


@pytest.fixture
def org(database_url: str, tmp_path: Path) -> Iterator[Org]:
    with org_on(database_url, tmp_path) as found:
        yield found


def wrong_secret(token: str) -> str:
    """``token`` with another secret of the same shape."""
    prefix, token_id, secret = token.split("_", 2)
    return f"{prefix}_{token_id}_{'A' * len(secret)}"


def refusal(caller: Caller, sandbox: dict[str, str]) -> tuple[str, str]:
    answer = error(caller.post("/files/read", expect=401, **sandbox, path="a.md"))
    return answer["code"], answer["message"]


def test_a_persons_sandbox_opens_with_any_of_their_keys(org: Org) -> None:
    org.person("ada@example.com", "member")
    cli, agent = org.key("ada@example.com"), org.key("ada@example.com", role="agent")
    sandbox = start_sandbox(cli)
    write(agent, sandbox, "a.md", "from the agent\n")
    assert cli.post("/files/read", **sandbox, path="a.md")["content"] == "from the agent\n"
    other = start_sandbox(agent)
    assert cli.post("/sandbox/status", **other)["branch"] == other["branch"]


@pytest.mark.parametrize("role", ["member", "reviewer", "owner"])
def test_another_person_cannot_open_it_with_its_token(org: Org, role: str) -> None:
    ada = org.member("ada@example.com", "member")
    other = org.member("bo@example.com", role)
    sandbox = start_sandbox(ada)
    write(ada, sandbox, "a.md", "a\n")
    foreign = refusal(other, sandbox)
    assert foreign == refusal(
        other, {**sandbox, "reuse_token": wrong_secret(sandbox["reuse_token"])}
    )
    assert foreign[0] == "unauthorized"
    agent = org.key("bo@example.com", role="agent")
    assert refusal(agent, sandbox) == foreign
    assert ada.post("/files/read", **sandbox, path="a.md")["content"] == "a\n"
    # A token an admin issues for a lost one opens the sandbox for its person alone.
    issued = org.admin.post(
        "/admin/tokens/issue", expect=201, repo_name="demo", branch=sandbox["branch"]
    )
    again = {**sandbox, "reuse_token": issued["reuse_token"]}
    assert refusal(other, again) == foreign
    assert org.key("ada@example.com", role="agent").post("/files/read", **again, path="a.md")


def test_service_keys_and_person_keys_do_not_open_each_others_sandboxes(org: Org) -> None:
    org.person("ada@example.com", "owner")
    ada = org.key("ada@example.com")
    service = Caller(org.client, org.admin.post("/admin/keys", expect=201)["key"])
    theirs, mine = start_sandbox(service), start_sandbox(ada)
    assert refusal(ada, theirs)[0] == "unauthorized"
    assert refusal(service, mine)[0] == "unauthorized"
    assert refusal(org.admin, mine)[0] == "unauthorized"


def test_sandbox_list_names_the_person_and_filters_by_them(org: Org) -> None:
    ada, bo = org.member("ada@example.com", "member"), org.member("bo@example.com", "member")
    service = Caller(org.client, org.admin.post("/admin/keys", expect=201)["key"])
    for caller in (ada, bo, service, ada):
        start_sandbox(caller)
    every = org.admin.get("/admin/sandboxes")["sandboxes"]
    assert [s["person"] for s in every] == [
        "ada@example.com",
        None,
        "bo@example.com",
        "ada@example.com",
    ]
    adas = org.admin.get("/admin/sandboxes", person="ADA@example.com")["sandboxes"]
    assert [s["id"] for s in adas] == [every[0]["id"], every[3]["id"]]
    org.admin.post("/admin/users/ada@example.com/remove")
    still = org.admin.get("/admin/sandboxes", person="ada@example.com")["sandboxes"]
    assert [s["person"] for s in still] == ["ada@example.com"] * 2
    unknown = org.admin.get("/admin/sandboxes", expect=404, person="nobody@example.com")
    assert error(unknown)["code"] == "not_found"
