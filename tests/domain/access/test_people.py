"""An org's people as its owner manages them over HTTP: added with a role and a password kept
only as an argon2id hash, listed with their live keys, removed (their keys refused at once)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from draftroom import store
from draftroom.domain.access import hash_password, verify_password
from tests.support.api import error
from tests.support.people import Org, org_on

PASSWORD = "a long pass phrase never to be seen"


@pytest.fixture
def org(database_url: str, tmp_path: Path) -> Iterator[Org]:
    with org_on(database_url, tmp_path) as found:
        yield found


def test_a_person_is_added_listed_and_removed_with_their_keys(org: Org) -> None:
    added = org.person("Ada@Example.COM", "reviewer", name="Ada", password=PASSWORD)
    assert {k: added[k] for k in ("email", "name", "role", "has_password", "live_keys")} == {
        "email": "ada@example.com",
        "name": "Ada",
        "role": "reviewer",
        "has_password": True,
        "live_keys": 0,
    }
    assert added["removed_at"] is None
    org.person("bob@example.com", "member")
    ada = org.key("ada@example.com")
    org.key("ADA@example.com", role="agent")
    [listed_ada, listed_bob] = org.admin.get("/admin/users")["users"]
    assert (listed_ada["email"], listed_ada["live_keys"]) == ("ada@example.com", 2)
    assert (listed_bob["email"], listed_bob["has_password"]) == ("bob@example.com", False)

    assert ada.get("/admin/sandboxes")["sandboxes"] == []
    removed = org.admin.post("/admin/users/ada%40example.com/remove")
    assert removed["removed_at"] is not None and removed["live_keys"] == 0
    assert error(ada.get("/admin/sandboxes", expect=401))["code"] == "unauthorized"
    again = org.admin.post("/admin/users/ada@example.com/remove")
    assert again["removed_at"] == removed["removed_at"]
    [listed_ada, _] = org.admin.get("/admin/users")["users"]
    assert listed_ada["removed_at"] == removed["removed_at"] and listed_ada["live_keys"] == 0
    assert error(org.admin.post("/admin/keys", expect=404, user="ada@example.com"))["code"] == (
        "not_found"
    )


@pytest.mark.parametrize(
    ("email", "why"),
    [
        ("ada", "'@'"),
        ("ada@localhost", "dotted domain"),
        ("a@b@example.com", "'@'"),
        ("ada smith@example.com", "'@'"),
        ("@example.com", "'@'"),
        ("ada@example.", "dotted domain"),
        ("a" * 310 + "@example.com", "at most 320"),
    ],
)
def test_an_email_that_is_no_address_is_400(org: Org, email: str, why: str) -> None:
    refused = error(org.admin.post("/admin/users", expect=400, email=email, role="member"))
    assert refused["code"] == "invalid_input" and why in refused["message"]
    assert org.admin.get("/admin/users")["users"] == []


def test_a_taken_email_is_409_and_a_short_password_400(org: Org) -> None:
    org.person("ada@example.com", "owner")
    taken = org.admin.post("/admin/users", expect=409, email="ADA@example.com", role="member")
    assert error(taken)["code"] == "already_exists"
    short = org.admin.post(
        "/admin/users", expect=400, email="bob@example.com", role="member", password="elevenchars"
    )
    assert error(short)["code"] == "invalid_input" and "12 characters" in error(short)["message"]
    assert [u["email"] for u in org.admin.get("/admin/users")["users"]] == ["ada@example.com"]
    unknown = org.admin.post("/admin/users/nobody@example.com/remove", expect=404)
    assert error(unknown)["code"] == "not_found"


def test_the_password_is_stored_as_an_argon2id_hash_and_never_answered_or_audited(
    org: Org,
) -> None:
    added = org.client.post(
        "/admin/users",
        json={"email": "ada@example.com", "role": "owner", "password": PASSWORD},
        headers=org.admin.headers,
    )
    assert added.status_code == 201 and PASSWORD not in added.text
    refused = org.client.post(
        "/admin/users",
        json={"email": "ada@example.com", "role": "owner", "password": PASSWORD},
        headers=org.admin.headers,
    )
    assert refused.status_code == 409 and PASSWORD not in refused.text
    listed = org.client.get("/admin/users", headers=org.admin.headers)
    with org.services.database.session() as session:
        org_id = store.get_or_create_org(session, org.services.settings.org).id
        user = store.get_user(session, org_id, "ada@example.com")
        assert user is not None and user.password_hash is not None
        assert user.password_hash.startswith("$argon2id$")
        assert verify_password(PASSWORD, user.password_hash)
        rows = repr([(e.tool, e.detail) for e in store.list_audit_events(session, limit=1000)])
    assert PASSWORD not in listed.text and "$argon2" not in listed.text
    assert "admin.users.add" in rows and PASSWORD not in rows and "$argon2" not in rows


def test_a_password_is_verified_only_against_its_own_hash() -> None:
    stored = hash_password(PASSWORD)
    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD + "!", stored)
    assert not verify_password(PASSWORD, None)
    assert not verify_password(PASSWORD, "not a hash")


def test_a_role_change_applies_on_the_persons_next_call(org: Org) -> None:
    org.person("olga@example.com", "owner")
    rita = org.member("rita@example.com", "member")
    assert error(rita.get("/admin/users", expect=403))["code"] == "insufficient_scope"
    changed = org.admin.post("/admin/users/Rita%40example.com/set", role="reviewer")
    assert (changed["email"], changed["role"], changed["live_keys"]) == (
        "rita@example.com",
        "reviewer",
        1,
    )
    assert rita.get("/admin/sandboxes")["sandboxes"] == []  # review scope, same key
    assert org.admin.post("/admin/users/rita@example.com/set", role="reviewer")["role"] == (
        "reviewer"
    )  # idempotent
    org.admin.post("/admin/users/rita@example.com/set", role="owner")
    assert [p["email"] for p in rita.get("/admin/users")["users"]] == [
        "olga@example.com",
        "rita@example.com",
    ]
    assert error(org.admin.post("/admin/users/x@example.com/set", expect=404, role="owner"))
    assert error(org.admin.post("/admin/users/rita@example.com/set", expect=422, role="admin"))
    org.admin.post("/admin/users/olga@example.com/remove")
    gone = org.admin.post("/admin/users/olga@example.com/set", expect=404, role="member")
    assert error(gone)["code"] == "not_found"  # a removed person keeps their last role


def test_the_last_owner_is_neither_demoted_nor_removed(org: Org) -> None:
    org.person("olga@example.com", "owner")
    org.person("otto@example.com", "owner")
    org.admin.post("/admin/users/otto@example.com/set", role="member")
    for route, body in (
        ("/admin/users/olga@example.com/set", {"role": "reviewer"}),
        ("/admin/users/olga@example.com/remove", {}),
    ):
        refused = error(org.admin.post(route, expect=409, **body))
        assert refused["code"] == "last_owner" and "last owner" in refused["message"]
    [olga, otto] = org.admin.get("/admin/users")["users"]
    assert (olga["role"], olga["removed_at"], otto["role"]) == ("owner", None, "member")
    org.admin.post("/admin/users/olga@example.com/set", role="owner")  # owner to owner: fine
    org.admin.post("/admin/users/otto@example.com/set", role="owner")
    org.admin.post("/admin/users/olga@example.com/remove")
    assert error(org.admin.post("/admin/users/otto@example.com/remove", expect=409))["code"] == (
        "last_owner"
    )
