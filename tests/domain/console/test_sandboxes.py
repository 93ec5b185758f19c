"""The console's sandbox read models on both databases: who sees which sandboxes, the list's
strict filters, a sandbox's page, and what a signed-in person may steer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from draftroom import store
from draftroom.domain.calls import Principal
from draftroom.domain.console import (
    ListQuery,
    find_sandbox,
    list_query,
    sandbox_list,
    sandbox_page,
)
from draftroom.errors import Forbidden, InsufficientScope, InvalidInput, NotFound
from draftroom.tools import build_registry
from draftroom.tools.validation import RawInput
from tests.support.api import start_sandbox, write
from tests.support.people import Org, org_on


@pytest.fixture
def org(database_url: str, tmp_path: Path) -> Iterator[Org]:
    with org_on(database_url, tmp_path) as org:
        for email, role in [("ada@example.com", "member"), ("bob@example.com", "member")]:
            org.person(email, role)
        org.person("rui@example.com", "reviewer")
        org.person("olive@example.com", "owner")
        yield org


def signed_in(org: Org, email: str) -> Principal:
    """The console's principal for ``email``."""
    with org.services.database.session() as session:
        user = store.get_user(
            session, store.get_or_create_org(session, org.services.settings.org).id, email
        )
        assert user is not None
        return Principal(
            api_key_id=f"console:{user.id}",
            org_id=user.org_id,
            role="person",
            user_id=user.id,
            person_role=user.role,
            user_email=user.email,
            signed_in=True,
        )


ALL = ListQuery()


def listed(org: Org, email: str, query: ListQuery = ALL) -> list[str]:
    with org.services.database.session() as session:
        found = sandbox_list(org.services, session, signed_in(org, email), query)
    return [item.row.branch for item in found.sandboxes]


def test_members_list_their_own_and_reviewers_everyones(org: Org) -> None:
    ada = start_sandbox(org.key("ada@example.com"))
    write(org.key("ada@example.com"), ada, "a.txt", "a\n")
    bob = start_sandbox(org.key("bob@example.com"))
    assert listed(org, "ada@example.com") == [ada["branch"]]
    assert listed(org, "ada@example.com", ListQuery(person="bob@example.com")) == []
    assert listed(org, "rui@example.com") == [bob["branch"], ada["branch"]]
    assert listed(org, "rui@example.com", ListQuery(person="bob@example.com")) == [bob["branch"]]
    assert listed(org, "rui@example.com", ListQuery(person="nobody@example.com")) == []
    assert listed(org, "rui@example.com", ListQuery(repo="nope")) == []
    with org.services.database.session() as session:
        found = sandbox_list(
            org.services, session, signed_in(org, "olive@example.com"), ListQuery()
        )
    ahead = {item.row.branch: (item.ahead, item.behind) for item in found.sandboxes}
    assert ahead == {ada["branch"]: (1, 0), bob["branch"]: (0, 0)}
    assert (found.total, found.pages, found.repositories) == (2, 1, ["demo"])
    assert [p.email for p in found.people][:2] == ["ada@example.com", "bob@example.com"]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"state": "deleted"}, "state"),
        ({"idle": "5m"}, "idle"),
        ({"page": "0"}, "page"),
        ({"page": "²"}, "page"),
        ({"page": "99999999999"}, "page"),
        ({"repo": "x" * 400}, "repo"),
        ({"order": "name"}, "order"),
    ],
)
def test_bad_list_parameters_are_named(params: dict[str, str], named: str) -> None:
    with pytest.raises(InvalidInput, match=named):
        list_query(params)


def test_list_parameters_round_trip_into_links() -> None:
    query = list_query({"repo": "demo", "state": "active", "idle": "7d", "page": "2"})
    assert query == ListQuery(repo="demo", state="active", idle="7d", page=2)
    assert query.link(page=1) == "?repo=demo&state=active&idle=7d"
    assert ListQuery().link() == ""


def test_a_members_page_of_another_person_is_403_and_another_orgs_404(org: Org) -> None:
    bob = start_sandbox(org.key("bob@example.com"))
    with org.services.database.session() as session:
        with pytest.raises(Forbidden):
            find_sandbox(session, signed_in(org, "ada@example.com"), "demo", bob["branch"])
        assert find_sandbox(session, signed_in(org, "rui@example.com"), "demo", bob["branch"])
        elsewhere = store.add_org(session, "globex").id
        record = store.add_repository(session, elsewhere, "demo2", "/nowhere")
        store.add_sandbox(session, record.id, "gpt/theirs", None)
        owner = signed_in(org, "olive@example.com")
        with pytest.raises(NotFound):
            find_sandbox(session, owner, "demo2", "gpt/theirs")
        with pytest.raises(NotFound):
            find_sandbox(session, owner, "demo", "gpt/missing")


def test_the_page_marks_a_rollback_and_words_it(org: Org) -> None:
    api = org.key("ada@example.com")
    sb = start_sandbox(api)
    wrong = write(api, sb, "wrong.txt", "oops\n")
    api.post("/git/rollback_commit", **sb, commit_sha=wrong, reason="not needed")
    with org.services.database.session() as session:
        page = sandbox_page(
            org.services, session, signed_in(org, "ada@example.com"), "demo", sb["branch"]
        )
    revert, written = page.history.commits
    assert (revert.mark, revert.target, written.undone_by) == ("rollback", wrong, revert.sha)
    (words,) = page.rollbacks
    assert (words.reverted_summary, words.reason, words.files) == (
        "Write wrong.txt",
        "not needed",
        ["wrong.txt"],
    )
    assert words.by is not None and words.by.email == "ada@example.com"
    assert page.changes.files == [] and page.may_steer


def test_a_signed_in_person_steers_only_their_own_sandbox(org: Org) -> None:
    ada = start_sandbox(org.key("ada@example.com"))
    bob = start_sandbox(org.key("bob@example.com"))
    registry = build_registry()

    def invoke(caller: object, name: str, **body: object) -> dict[str, object]:
        tool = registry.get(name)
        out = registry.invoke(tool, org.services, caller, RawInput(json.dumps(body).encode()))  # type: ignore[arg-type]
        return out.model_dump(mode="json")

    ids = {s["branch"]: s["id"] for s in org.admin.get("/admin/sandboxes")["sandboxes"]}
    as_ada = signed_in(org, "ada@example.com")
    assert invoke(as_ada, "sandbox.archive", id=ids[ada["branch"]])["status"] == "archived"
    assert invoke(as_ada, "sandbox.restore", id=ids[ada["branch"]])["status"] == "active"
    issued = invoke(as_ada, "admin.tokens.issue", repo_name="demo", branch=ada["branch"])
    assert str(issued["reuse_token"]).startswith("drt_")
    with pytest.raises(NotFound):
        invoke(as_ada, "sandbox.archive", id=ids[bob["branch"]])
    with pytest.raises(NotFound):
        invoke(as_ada, "admin.tokens.issue", repo_name="demo", branch=bob["branch"])
    owner = signed_in(org, "olive@example.com")
    assert invoke(owner, "sandbox.archive", id=ids[bob["branch"]])["status"] == "archived"
    # A person's API key (not signed in) still needs an admin key for these tools.
    key = org.key("ada@example.com")
    answer = key.client.post(f"/admin/sandboxes/{ids[ada['branch']]}/archive", headers=key.headers)
    assert answer.status_code == 403 and answer.json()["error"]["code"] == InsufficientScope.code
