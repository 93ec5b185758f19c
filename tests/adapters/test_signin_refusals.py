"""What sign-in refuses, through its public surface (the in-process app, as a browser and as
an OAuth client would call it): wrong passwords and the lockout, foreign redirect URIs, forms
without their CSRF token, missing or wrong PKCE, bad registrations; and what a signed-in
person may open: their own sandboxes only. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from draftroom.adapters.http import create_app
from draftroom.config import Settings
from draftroom.domain.calls import Services
from draftroom.domain.repos.setup import setup_default
from tests.adapters.test_signin_flow import (
    REDIRECT,
    Person,
    add_person,
    call,
    discover,
    only_form,
    pkce,
    register,
    signed_in,
    tokens,
)
from tests.support.api import new_key

BASE = "https://draftroom.example"
LIMIT = 3


@pytest.fixture
def browser(database_url: str, tmp_path: Path) -> Iterator[tuple[Services, TestClient]]:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        public_url=BASE,
        token_failures_before_lockout=LIMIT,
    )
    services = Services(settings)
    setup_default(services)
    app = create_app(settings, services)
    with TestClient(app, base_url=BASE, follow_redirects=False) as client:
        yield services, client


def authorize_query(client: str, **overrides: str) -> dict[str, str]:
    _, challenge = pkce()
    query = {
        "response_type": "code",
        "client_id": client,
        "redirect_uri": REDIRECT,
        "state": "s1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return {k: v for k, v in {**query, **overrides}.items() if v != ""}


def sign_in_form(client: TestClient, client_id: str) -> dict[str, Any]:
    meta = discover(client, BASE)
    return only_form(client.get(meta["authorization_endpoint"], params=authorize_query(client_id)))


def post_form(client: TestClient, fields: dict[str, str]) -> Any:
    return client.post(f"{BASE}/oauth/authorize", data=fields)


def test_two_people_never_see_each_others_sandboxes(browser: tuple[Services, TestClient]) -> None:
    services, client = browser
    ada, bob = add_person(services, "ada@example.com"), add_person(services, "bob@example.com")
    meta = discover(client, BASE)
    client_id = register(client, meta)
    as_ada = signed_in(client, meta, client_id, ada)["access_token"]
    as_bob = signed_in(client, meta, client_id, bob)["access_token"]

    started = call(client, BASE, as_ada, "/sandbox/init", repo_name="demo")
    assert started.status_code == 201 and started.json()["reuse_token"] is None
    branch = started.json()["branch"]
    own = call(client, BASE, as_ada, "/sandbox/status", repo_name="demo", branch=branch)
    assert own.status_code == 200, own.text

    def refused(token: str, path: str, name: str) -> dict[str, Any]:
        answer = call(client, BASE, token, path, repo_name="demo", branch=name)
        assert answer.status_code == 404, answer.text
        error: dict[str, Any] = answer.json()["error"]
        return {**error, "message": error["message"].replace(name, "NAME"), "request_id": None}

    for path in ("/sandbox/status", "/files/list", "/sandbox/init"):
        assert refused(as_bob, path, branch) == refused(as_bob, path, "sandbox-nobody-has")

    listed = client.get("/admin/sandboxes", headers={"Authorization": f"Bearer {as_bob}"})
    assert listed.status_code == 200 and listed.json()["sandboxes"] == []
    mine = client.get("/admin/sandboxes", headers={"Authorization": f"Bearer {as_ada}"})
    assert [s["branch"] for s in mine.json()["sandboxes"]] == [branch]

    bobs = call(client, BASE, as_bob, "/sandbox/init", repo_name="demo")
    assert bobs.status_code == 201 and bobs.json()["branch"] != branch
    resumed = call(client, BASE, as_ada, "/sandbox/init", repo_name="demo")
    assert resumed.status_code == 200 and resumed.json()["branch"] == branch
    fresh = call(client, BASE, as_ada, "/sandbox/init", repo_name="demo", new=True)
    assert fresh.status_code == 201 and fresh.json()["branch"] not in (
        branch,
        bobs.json()["branch"],
    )

    key = new_key(services)  # an API key still needs the reuse token
    keyed = call(client, BASE, key, "/sandbox/status", repo_name="demo", branch=branch)
    assert keyed.status_code == 403 and keyed.json()["error"]["code"] == "token_required"


def test_a_wrong_password_shows_the_form_again_then_locks_out(
    browser: tuple[Services, TestClient],
) -> None:
    services, client = browser
    ada = add_person(services, "ada@example.com")
    client_id = register(client, discover(client, BASE))
    form = sign_in_form(client, client_id)
    for _ in range(LIMIT):
        wrong = post_form(client, {**form["fields"], "email": ada.email, "password": "nope"})
        assert wrong.status_code == 401 and "location" not in wrong.headers
        assert "wrong email or password" in wrong.text
        assert {"email", "password", "csrf_token"} <= set(only_form(wrong)["fields"])
    right = post_form(client, {**form["fields"], "email": ada.email, "password": ada.password})
    assert right.status_code == 429 and "too many wrong passwords" in right.text
    assert "location" not in right.headers


def test_wrong_passwords_from_one_address_lock_it_out_for_every_email(
    browser: tuple[Services, TestClient],
) -> None:
    services, client = browser
    ada = add_person(services, "ada@example.com")
    form = sign_in_form(client, register(client, discover(client, BASE)))
    for n in range(LIMIT):
        guess = {**form["fields"], "email": f"guess{n}@example.com", "password": "x"}
        assert post_form(client, guess).status_code == 401
    right = post_form(client, {**form["fields"], "email": ada.email, "password": ada.password})
    assert right.status_code == 429


@pytest.mark.parametrize(
    "overrides",
    [
        {"redirect_uri": "https://evil.example/callback"},
        {"redirect_uri": REDIRECT + "/more"},
        {"client_id": "drc_nosuchclient1"},
    ],
)
def test_an_unregistered_redirect_uri_or_client_is_an_error_page_never_a_redirect(
    browser: tuple[Services, TestClient], overrides: dict[str, str]
) -> None:
    services, client = browser
    ada = add_person(services, "ada@example.com")
    client_id = register(client, discover(client, BASE))
    query = authorize_query(client_id, **overrides)
    shown = client.get("/oauth/authorize", params=query)
    assert shown.status_code == 400 and "location" not in shown.headers
    assert shown.headers["content-type"].startswith("text/html")
    good = sign_in_form(client, client_id)
    forged = {**good["fields"], **overrides, "email": ada.email, "password": ada.password}
    posted = post_form(client, forged)
    assert posted.status_code == 400 and "location" not in posted.headers


def test_a_form_without_its_csrf_token_is_refused(browser: tuple[Services, TestClient]) -> None:
    services, client = browser
    ada = add_person(services, "ada@example.com")
    form = sign_in_form(client, register(client, discover(client, BASE)))
    fields = {**form["fields"], "email": ada.email, "password": ada.password}
    missing = post_form(client, {k: v for k, v in fields.items() if k != "csrf_token"})
    assert missing.status_code == 403 and "location" not in missing.headers
    forged = post_form(client, {**fields, "csrf_token": "forged"})
    assert forged.status_code == 403
    client.cookies.clear()
    no_cookie = post_form(client, fields)
    assert no_cookie.status_code == 403


@pytest.mark.parametrize(
    "overrides",
    [{"code_challenge": "", "code_challenge_method": ""}, {"code_challenge_method": "plain"}],
)
def test_a_public_client_without_s256_pkce_gets_no_code(
    browser: tuple[Services, TestClient], overrides: dict[str, str]
) -> None:
    _, client = browser
    client_id = register(client, discover(client, BASE))
    answer = client.get("/oauth/authorize", params=authorize_query(client_id, **overrides))
    assert answer.status_code == 302
    sent = parse_qs(urlsplit(answer.headers["location"]).query)
    assert sent["error"] == ["invalid_request"] and "code" not in sent


@pytest.mark.parametrize("verifier", [None, "a-wrong-verifier-" + "x" * 40])
def test_a_code_without_its_pkce_verifier_is_refused(
    browser: tuple[Services, TestClient], verifier: str | None
) -> None:
    from tests.adapters.test_signin_flow import sign_in

    services, client = browser
    ada = add_person(services, "ada@example.com")
    meta = discover(client, BASE)
    client_id = register(client, meta)
    code, _ = sign_in(client, meta, client_id, ada)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    form |= {"client_id": client_id} | ({"code_verifier": verifier} if verifier else {})
    refused = tokens(client, meta, **form)
    assert refused.status_code == 400
    assert refused.json()["error"] in ("invalid_request", "invalid_grant")
    assert "access_token" not in refused.json()


def test_a_code_sent_twice_is_refused_and_revokes_what_it_issued(
    browser: tuple[Services, TestClient],
) -> None:
    from tests.adapters.test_signin_flow import sign_in

    services, client = browser
    ada = add_person(services, "ada@example.com")
    meta = discover(client, BASE)
    client_id = register(client, meta)
    code, verifier = sign_in(client, meta, client_id, ada)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    form |= {"client_id": client_id, "code_verifier": verifier}
    first = tokens(client, meta, **form).json()

    def listed(access: str) -> int:
        headers = {"Authorization": f"Bearer {access}"}
        return client.get(f"{BASE}/admin/sandboxes", headers=headers).status_code

    assert listed(first["access_token"]) == 200
    replayed = tokens(client, meta, **form)
    assert replayed.status_code == 400 and replayed.json()["error"] == "invalid_grant"
    assert listed(first["access_token"]) == 401
    refreshed = tokens(
        client,
        meta,
        grant_type="refresh_token",
        refresh_token=first["refresh_token"],
        client_id=client_id,
    )
    assert refreshed.status_code == 400 and "access_token" not in refreshed.json()


@pytest.mark.parametrize(
    ("metadata", "error"),
    [
        ({"redirect_uris": ["http://evil.example/cb"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["https://a.example/cb#frag"]}, "invalid_redirect_uri"),
        ({"redirect_uris": [f"https://a.example/{n}" for n in range(11)]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["javascript:alert(1)"]}, "invalid_redirect_uri"),
        (
            {"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "client_secret_basic"},
            "invalid_client_metadata",
        ),
        ({"redirect_uris": [REDIRECT], "client_name": "x" * 201}, "invalid_client_metadata"),
        ([1, 2], "invalid_client_metadata"),
    ],
)
def test_registration_refuses_unsafe_or_oversized_metadata(
    browser: tuple[Services, TestClient], metadata: Any, error: str
) -> None:
    _, client = browser
    refused = client.post("/oauth/register", json=metadata)
    assert refused.status_code == 400 and refused.json()["error"] == error


def test_the_sign_in_page_escapes_what_a_client_registered(
    browser: tuple[Services, TestClient],
) -> None:
    _, client = browser
    registered = client.post(
        "/oauth/register",
        json={"client_name": "<script>alert(1)</script>", "redirect_uris": [REDIRECT]},
    )
    page = client.get(
        "/oauth/authorize", params=authorize_query(registered.json()["client_id"], state='"><b>')
    )
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text
    assert '"><b>' not in page.text


def test_a_person_added_and_removed_with_the_cli_signs_in_then_is_signed_out_at_once(
    browser: tuple[Services, TestClient],
) -> None:
    services, client = browser
    data = ["--data-dir", str(services.settings.data_dir)]
    env = {"DRAFTROOM_DATABASE_URL": services.settings.resolved_database_url}
    ada = Person("ada@example.com")
    _cli(
        "user",
        "add",
        ada.email,
        "--role",
        "member",
        "--password-stdin",
        *data,
        env=env,
        stdin=ada.password + "\n",
    )
    meta = discover(client, BASE)
    client_id = register(client, meta)
    issued = signed_in(client, meta, client_id, ada)
    assert (
        call(client, BASE, issued["access_token"], "/sandbox/init", repo_name="demo").status_code
        == 201
    )
    _cli("user", "remove", ada.email, *data, env=env)
    gone = call(client, BASE, issued["access_token"], "/sandbox/init", repo_name="demo")
    assert gone.status_code == 401
    refresh = {"refresh_token": issued["refresh_token"], "client_id": client_id}
    again = tokens(client, meta, grant_type="refresh_token", **refresh)
    assert again.status_code == 400 and "access_token" not in again.json()


def test_a_gpts_confidential_client_signs_in_with_its_secret_and_is_revoked_from_the_cli(
    browser: tuple[Services, TestClient],
) -> None:
    services, client = browser
    ada = add_person(services, "ada@example.com")
    data = ["--data-dir", str(services.settings.data_dir)]
    env_db = {"DRAFTROOM_DATABASE_URL": services.settings.resolved_database_url}
    added = _cli(
        "oauth", "client", "add", "--name", "My GPT", "--redirect-uri", REDIRECT, *data, env=env_db
    )
    lines = dict(line.split(": ", 1) for line in added.stdout.splitlines() if ": " in line)
    client_id, secret = lines["client id"], lines["client secret (shown once)"]
    meta = discover(client, BASE)
    client.auth = (client_id, secret)
    issued = signed_in(client, meta, client_id, ada)
    client.auth = None
    assert (
        call(client, BASE, issued["access_token"], "/sandbox/init", repo_name="demo").status_code
        == 201
    )
    _cli("oauth", "client", "revoke", client_id, *data, env=env_db)
    assert (
        call(client, BASE, issued["access_token"], "/sandbox/init", repo_name="demo").status_code
        == 401
    )


def _cli(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "draftroom", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        input=stdin,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done
