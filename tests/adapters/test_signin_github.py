"""Sign in with GitHub, against a labelled fake of GitHub's OAuth endpoints at the HTTP
boundary (github.com is the edge we cannot reach): the browser goes to "GitHub" and comes
back with a code; the server trades it and reads the account's verified emails.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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
    Forms,
    add_person,
    discover,
    only_form,
    register,
)
from tests.adapters.test_signin_refusals import authorize_query

BASE = "https://draftroom.example"
CODES = {"ada-code": "gho_fake_ada", "stranger-code": "gho_fake_stranger"}
EMAILS: dict[str, list[dict[str, Any]]] = {
    "gho_fake_ada": [
        {"email": "someone@else.example", "primary": False, "verified": False},
        {"email": "Ada@Example.com", "primary": True, "verified": True},
    ],
    "gho_fake_stranger": [{"email": "ada@example.com", "primary": True, "verified": False}],
}


class FakeGitHub(BaseHTTPRequestHandler):
    """FAKE GitHub: ``POST /login/oauth/access_token`` and ``GET /user/emails`` only."""

    def do_POST(self) -> None:
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        right = form.get("client_secret") == ["fake-secret"] and form.get("client_id") == [
            "Iv1.fake"
        ]
        token = CODES.get(form.get("code", [""])[0]) if right else None
        # GitHub answers a bad code with 200 and an error body.
        self._json(
            {"access_token": token, "token_type": "bearer"}
            if token
            else {"error": "bad_verification_code"}
        )

    def do_GET(self) -> None:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if self.path != "/user/emails" or token not in EMAILS:
            self.send_response(401)
            self.end_headers()
            return
        self._json(EMAILS[token])

    def _json(self, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def fake_github() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGitHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def browser(
    database_url: str, tmp_path: Path, fake_github: str
) -> Iterator[tuple[Services, TestClient]]:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        public_url=BASE,
        github_client_id="Iv1.fake",
        github_client_secret="fake-secret",
        github_signin_url=fake_github,
        github_signin_api_url=fake_github,
    )
    services = Services(settings)
    setup_default(services)
    with TestClient(
        create_app(settings, services), base_url=BASE, follow_redirects=False
    ) as client:
        yield services, client


def to_github(client: TestClient, fake_github: str) -> str:
    """From the sign-in page to "GitHub": the state the server sent along."""
    client_id = register(client, discover(client, BASE))
    page = client.get("/oauth/authorize", params=authorize_query(client_id))
    forms = Forms(page.text).forms
    github = next(f for f in forms if f["action"] == "/oauth/github")
    answer = client.post(f"{BASE}/oauth/github", data=github["fields"])
    assert answer.status_code == 302, answer.text
    sent = urlsplit(answer.headers["location"])
    assert f"{sent.scheme}://{sent.netloc}{sent.path}" == f"{fake_github}/login/oauth/authorize"
    query = parse_qs(sent.query)
    assert query["client_id"] == ["Iv1.fake"]
    assert query["redirect_uri"] == [f"{BASE}/oauth/github/callback"]
    return query["state"][0]


def test_a_person_signs_in_with_the_github_account_of_their_verified_email(
    browser: tuple[Services, TestClient], fake_github: str
) -> None:
    services, client = browser
    add_person(services, "ada@example.com")
    state = to_github(client, fake_github)
    back = client.get("/oauth/github/callback", params={"code": "ada-code", "state": state})
    consent = only_form(back)
    assert "ada@example.com" in back.text
    answer = client.post(f"{BASE}/oauth/authorize", data={**consent["fields"], "decision": "allow"})
    assert answer.status_code == 302
    location = urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    assert "code" in parse_qs(location.query)


@pytest.mark.parametrize(
    ("code", "state", "status"),
    [("ada-code", "not-the-state", 403), ("stranger-code", None, 403), ("bad-code", None, 403)],
)
def test_github_sign_in_refuses_a_forged_state_an_unverified_email_or_a_bad_code(
    browser: tuple[Services, TestClient],
    fake_github: str,
    code: str,
    state: str | None,
    status: int,
) -> None:
    services, client = browser
    add_person(services, "ada@example.com")
    sent = to_github(client, fake_github)
    back = client.get("/oauth/github/callback", params={"code": code, "state": state or sent})
    assert back.status_code == status and "location" not in back.headers
