"""Sign-in as a client does it: a real HTTP client against the app under uvicorn, no internal
calls. Discovery, registration, the sign-in and consent forms, the code, the token (PKCE), the
tools over HTTP and over ``/mcp`` with the official MCP client, refresh, replay, revocation.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx
import pytest

from draftroom import store
from draftroom.config import Settings
from draftroom.domain.access import hash_password
from draftroom.domain.calls import Services
from draftroom.domain.repos.setup import setup_default
from tests.adapters.test_mcp import free_socket, http_mcp_client, outcome_of, serving

REDIRECT = "http://127.0.0.1:9/callback"
PASSWORD = "correct horse battery staple"


class Forms(HTMLParser):
    """Every form of a page: its action and its fields (inputs and named buttons)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({"action": found.get("action", ""), "fields": {}, "buttons": []})
        elif tag == "input" and "name" in found:
            self.forms[-1]["fields"][found["name"]] = found.get("value", "")
        elif tag == "button" and "name" in found:
            self.forms[-1]["buttons"].append((found["name"], found.get("value", "")))


def only_form(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("text/html"), response.text
    forms = Forms(response.text).forms
    assert len(forms) == 1, response.text
    return forms[0]


@dataclass
class Person:
    email: str
    password: str = PASSWORD


def add_person(services: Services, email: str, role: str = "member") -> Person:
    with services.database.session() as session:
        org = store.get_or_create_org(session, services.settings.org)
        store.add_user(
            session, org.id, email, role, email.split("@")[0], password_hash=hash_password(PASSWORD)
        )
    return Person(email)


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[tuple[Services, str]]:
    """The app under uvicorn whose public URL is the one it is served at, on each database."""
    sock: socket.socket = free_socket()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, public_url=base)
    services = Services(settings)
    setup_default(services)
    with serving(services, sock=sock) as url:
        assert url == base
        yield services, base


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def discover(http: httpx.Client, base: str) -> dict[str, Any]:
    resource = http.get(f"{base}/.well-known/oauth-protected-resource").json()
    issuer = resource["authorization_servers"][0]
    found: dict[str, Any] = http.get(f"{issuer}/.well-known/oauth-authorization-server").json()
    return found


def register(http: httpx.Client, meta: dict[str, Any]) -> str:
    answer = http.post(
        meta["registration_endpoint"],
        json={"client_name": "Test MCP client", "redirect_uris": [REDIRECT]},
    )
    assert answer.status_code == 201, answer.text
    client_id: str = answer.json()["client_id"]
    return client_id


def sign_in(
    http: httpx.Client, meta: dict[str, Any], client_id: str, person: Person
) -> tuple[str, str]:
    """Through the forms as a browser: (code, verifier); asserts the state came back."""
    verifier, challenge = pkce()
    state = secrets.token_urlsafe(8)
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "scope": "draftroom",
    }
    form = only_form(http.get(meta["authorization_endpoint"], params=query))
    assert {"email", "password", "csrf_token", "client_id", "state"} <= set(form["fields"])
    fields = {**form["fields"], "email": person.email, "password": person.password}
    answer = http.post(_url(meta, form), data=fields)
    if answer.status_code == 200:  # first time: the consent form
        consent = only_form(answer)
        assert ("decision", "allow") in consent["buttons"]
        answer = http.post(_url(meta, consent), data={**consent["fields"], "decision": "allow"})
    assert answer.status_code == 302, answer.text
    location = urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    sent = parse_qs(location.query)
    assert sent["state"] == [state]
    return sent["code"][0], verifier


def _url(meta: dict[str, Any], form: dict[str, Any]) -> str:
    parts = urlsplit(meta["authorization_endpoint"])
    return f"{parts.scheme}://{parts.netloc}{form['action']}"


def tokens(http: httpx.Client, meta: dict[str, Any], **form: str) -> httpx.Response:
    return http.post(meta["token_endpoint"], data=form)


def signed_in(
    http: httpx.Client, meta: dict[str, Any], client_id: str, person: Person
) -> dict[str, Any]:
    code, verifier = sign_in(http, meta, client_id, person)
    answer = tokens(
        http,
        meta,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        client_id=client_id,
        code_verifier=verifier,
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def call(http: httpx.Client, base: str, access: str, path: str, **body: Any) -> httpx.Response:
    return http.post(f"{base}{path}", json=body, headers={"Authorization": f"Bearer {access}"})


def over_mcp(base: str, access: str, tool: str, arguments: dict[str, Any]) -> Any:
    async def run() -> Any:
        async with http_mcp_client(f"{base}/mcp", access, "auto") as client:
            return outcome_of(await client.call_tool(tool, arguments))

    return anyio.run(run)


def test_a_person_signs_in_and_works_over_http_and_mcp_then_refreshes_and_revokes(
    served: tuple[Services, str],
) -> None:
    services, base = served
    ada = add_person(services, "ada@example.com")
    with httpx.Client(timeout=30) as http:
        refused = http.post(f"{base}/mcp", json={})
        assert refused.status_code == 401
        challenge = refused.headers["www-authenticate"]
        assert (
            challenge == f'Bearer resource_metadata="{base}/.well-known/oauth-protected-resource"'
        )
        meta = discover(http, base)
        assert meta["issuer"] == base
        assert meta["code_challenge_methods_supported"] == ["S256"]
        assert {"authorization_code", "refresh_token"} <= set(meta["grant_types_supported"])
        client_id = register(http, meta)
        issued = signed_in(http, meta, client_id, ada)
        access, refresh = issued["access_token"], issued["refresh_token"]
        assert issued["token_type"] == "Bearer" and issued["expires_in"] == 3600

        started = call(http, base, access, "/sandbox/init", repo_name="demo")
        assert started.status_code == 201, started.text
        branch = started.json()["branch"]
        status = call(http, base, access, "/sandbox/status", repo_name="demo", branch=branch)
        assert status.status_code == 200, status.text
        code, body = over_mcp(
            base, access, "sandbox_status", {"repo_name": "demo", "branch": branch}
        )
        assert code is None and body["branch"] == branch

        rotated = tokens(
            http, meta, grant_type="refresh_token", refresh_token=refresh, client_id=client_id
        )
        assert rotated.status_code == 200, rotated.text
        fresh = rotated.json()
        assert fresh["refresh_token"] != refresh
        again = call(
            http, base, fresh["access_token"], "/sandbox/status", repo_name="demo", branch=branch
        )
        assert again.status_code == 200, again.text

        replayed = tokens(
            http, meta, grant_type="refresh_token", refresh_token=refresh, client_id=client_id
        )
        assert replayed.status_code == 400 and replayed.json()["error"] == "invalid_grant"
        for token in (access, fresh["access_token"]):
            gone = call(http, base, token, "/sandbox/status", repo_name="demo", branch=branch)
            assert gone.status_code == 401
            assert gone.headers["www-authenticate"] == challenge
        dead = tokens(
            http,
            meta,
            grant_type="refresh_token",
            refresh_token=fresh["refresh_token"],
            client_id=client_id,
        )
        assert dead.status_code == 400

        second = signed_in(http, meta, client_id, ada)  # consent remembered: straight back
        resumed = call(http, base, second["access_token"], "/sandbox/init", repo_name="demo")
        assert resumed.status_code == 200 and resumed.json()["branch"] == branch
        revoked = http.post(
            meta["revocation_endpoint"],
            data={"token": second["access_token"], "client_id": client_id},
        )
        assert revoked.status_code == 200, revoked.text
        after = call(
            http, base, second["access_token"], "/sandbox/status", repo_name="demo", branch=branch
        )
        assert after.status_code == 401


def test_two_refreshes_with_one_refresh_token_at_once_never_both_succeed(
    served: tuple[Services, str],
) -> None:
    """The second of two simultaneous refreshes is a replay: one answer at most carries
    tokens, and the family is revoked, so a stolen copy raced against its owner gains nothing."""
    services, base = served
    ada = add_person(services, "ada@example.com")
    with httpx.Client(timeout=30) as http:
        meta = discover(http, base)
        client_id = register(http, meta)
        refresh = signed_in(http, meta, client_id, ada)["refresh_token"]
        start = threading.Barrier(2)

        def race() -> httpx.Response:
            with httpx.Client(timeout=30) as own:
                start.wait()
                form = {"refresh_token": refresh, "client_id": client_id}
                return tokens(own, meta, grant_type="refresh_token", **form)

        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda _: race(), range(2)))
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200, 400], [a.text for a in answers]
        winner = next(a.json() for a in answers if a.status_code == 200)
        later = call(http, base, winner["access_token"], "/sandbox/init", repo_name="demo")
        assert later.status_code == 401, "the replay revoked the family, the winner's too"
