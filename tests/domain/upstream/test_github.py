"""GitHub's REST calls, against a FAKE GitHub at the HTTP boundary (httpx.MockTransport).

github.com cannot be reached from tests; the fake checks each request against GitHub's
documented API (method, path, ``Authorization``, ``Accept``, JSON body) and answers with the
documented fields. Nothing else is faked: the JWT is really signed and really verified.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest

from draftroom.domain.upstream import (
    GitHubApp,
    GitHubClient,
    InstallationTokens,
    github_repo,
)
from draftroom.errors import UpstreamUnavailable
from tests.support.upstream import new_app

API = "https://api.github.com"


class FakeGitHub:
    """Records requests; answers like api.github.com for the endpoints draftroom uses."""

    def __init__(self, token_lifetime: timedelta = timedelta(hours=1)) -> None:
        self.requests: list[httpx.Request] = []
        self.token_lifetime = token_lifetime
        self.issued = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.method == "POST" and path.startswith("/app/installations/"):
            self.issued += 1
            expires = datetime.now(UTC) + self.token_lifetime
            return httpx.Response(
                201,
                json={
                    "token": f"ghs_{self.issued}",
                    "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                },
            )
        if request.method == "GET" and path.endswith("/installation"):
            return httpx.Response(200, json={"id": 77})
        if request.method == "POST" and path.endswith("/pulls"):
            return httpx.Response(
                201, json={"number": 5, "html_url": "https://github.com/acme/widgets/pull/5"}
            )
        return httpx.Response(404, json={"message": "Not Found"})


def client(fake: FakeGitHub) -> GitHubClient:
    return GitHubClient(API, transport=httpx.MockTransport(fake))


def test_installation_token_exchange_sends_a_signed_app_jwt() -> None:
    app, public_key = new_app()
    fake = FakeGitHub()

    token = InstallationTokens().get(
        client(fake), app, github_repo("https://github.com/acme/widgets.git")
    )

    assert token == "ghs_1"
    (request,) = fake.requests
    assert request.method == "POST"
    assert request.url == f"{API}/app/installations/42/access_tokens"
    assert request.headers["Accept"] == "application/vnd.github+json"
    assert request.headers["X-GitHub-Api-Version"] == "2022-11-28"
    scheme, _, signed = request.headers["Authorization"].partition(" ")
    assert scheme == "Bearer"
    assert jwt.get_unverified_header(signed)["alg"] == "RS256"
    claims = jwt.decode(signed, public_key, algorithms=["RS256"])
    assert claims["iss"] == "1234"
    assert claims["exp"] - claims["iat"] <= 600


def test_installation_tokens_are_cached_and_refreshed_before_expiry() -> None:
    app, _ = new_app()
    repo = github_repo("git@github.com:acme/widgets.git")
    tokens = InstallationTokens()
    long_lived = FakeGitHub()
    assert tokens.get(client(long_lived), app, repo) == tokens.get(client(long_lived), app, repo)
    assert long_lived.issued == 1

    short_lived = FakeGitHub(token_lifetime=timedelta(minutes=4))
    fresh = InstallationTokens()
    first = fresh.get(client(short_lived), app, repo)
    second = fresh.get(client(short_lived), app, repo)
    assert (first, second, short_lived.issued) == ("ghs_1", "ghs_2", 2)


def test_a_cached_token_goes_only_to_the_holder_of_the_key_that_minted_it() -> None:
    """Another org naming the same app and installation with another key gets no token of
    the first org's (GitHub, not our cache, decides whether its key is good)."""
    app, _ = new_app()
    impostor = GitHubApp(app.app_id, new_app()[0].private_key, app.installation_id)
    repo = github_repo("https://github.com/acme/widgets.git")
    tokens, fake = InstallationTokens(), FakeGitHub()
    assert tokens.get(client(fake), app, repo) == "ghs_1"
    assert tokens.get(client(fake), impostor, repo) == "ghs_2"
    assert fake.issued == 2


def test_an_unknown_installation_is_looked_up_for_the_repository() -> None:
    app, _ = new_app(installation_id=None)
    fake = FakeGitHub()
    InstallationTokens().get(client(fake), app, github_repo("https://github.com/acme/widgets"))
    lookup, exchange = fake.requests
    assert (lookup.method, lookup.url.path) == ("GET", "/repos/acme/widgets/installation")
    assert lookup.headers["Authorization"].startswith("Bearer ")
    assert exchange.url.path == "/app/installations/77/access_tokens"


def test_pull_request_creation_is_the_documented_request() -> None:
    fake = FakeGitHub()
    url = client(fake).create_pull_request(
        "ghs_abc",
        github_repo("https://github.com/acme/widgets.git"),
        head="sandbox-brave-otter",
        base="main",
        title="Add notes",
        body="Approved in draftroom.",
    )
    assert url == "https://github.com/acme/widgets/pull/5"
    (request,) = fake.requests
    assert (request.method, request.url) == ("POST", f"{API}/repos/acme/widgets/pulls")
    assert request.headers["Authorization"] == "token ghs_abc"
    assert request.headers["Accept"] == "application/vnd.github+json"
    body = json.loads(request.content)
    assert (body["head"], body["base"], body["title"]) == (
        "sandbox-brave-otter",
        "main",
        "Add notes",
    )


def test_github_errors_never_echo_the_token() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"message": "Bad credentials"})

    failing = GitHubClient(API, transport=httpx.MockTransport(refuse))
    with pytest.raises(UpstreamUnavailable) as raised:
        failing.create_pull_request(
            "ghs_secret",
            github_repo("https://github.com/a/b"),
            head="x",
            base="main",
            title="t",
            body="",
        )
    assert "Bad credentials" in raised.value.message
    assert "ghs_secret" not in raised.value.message


def test_enterprise_and_ssh_urls_name_the_right_api() -> None:
    assert github_repo("ssh://git@ghe.example.com/team/app.git") == github_repo(
        "https://ghe.example.com/team/app"
    )
    assert (
        github_repo("https://ghe.example.com/team/app").api_url == "https://ghe.example.com/api/v3"
    )
