"""The few GitHub REST calls draftroom makes: App installation tokens and pull requests.

Plain httpx against GitHub's documented API (``Accept: application/vnd.github+json``,
``X-GitHub-Api-Version``): an App authenticates with a short-lived RS256 JWT
(``Authorization: Bearer <jwt>``) to get an installation token, cached per installation and
refreshed five minutes before it expires; tokens authenticate as ``Authorization: token <t>``.
Git objects never travel through this module (see ``transport``). No token is ever logged
or put in an error message.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt

from draftroom.domain.upstream.credentials import GitHubApp
from draftroom.errors import Conflict, InvalidInput, UpstreamUnavailable

ACCEPT = "application/vnd.github+json"
API_VERSION = "2022-11-28"
REFRESH_BEFORE = timedelta(minutes=5)
_SCP = re.compile(r"^[^@/]+@(?P<host>[^:]+):(?P<path>.+)$")


@dataclass(frozen=True)
class GitHubRepo:
    """Where a repository lives on GitHub: its REST API root, owner and name."""

    api_url: str
    owner: str
    name: str


def github_repo(url: str, api_url: str | None = None) -> GitHubRepo:
    """Owner and name from a git URL (https, ssh or ``git@host:owner/name.git``)."""
    match = _SCP.match(url)
    if match:
        host, path = match["host"], match["path"]
    else:
        parts = urlsplit(url)
        host, path = parts.hostname or "", parts.path
    segments = [s for s in path.strip("/").split("/") if s]
    if len(segments) < 2:
        raise InvalidInput(f"cannot tell the GitHub owner and repository from {url!r}")
    owner, name = segments[-2], segments[-1].removesuffix(".git")
    if api_url is None:
        api_url = "https://api.github.com" if host == "github.com" else f"https://{host}/api/v3"
    return GitHubRepo(api_url.rstrip("/"), owner, name)


def app_jwt(app: GitHubApp, now: float | None = None) -> str:
    """The JWT GitHub wants from an App: RS256, issued 60 s in the past, valid 9 minutes."""
    issued = int(time.time() if now is None else now) - 60
    payload = {"iat": issued, "exp": issued + 600, "iss": app.app_id}
    return jwt.encode(payload, app.private_key, algorithm="RS256")


class GitHubClient:
    """One GitHub API root; ``transport`` lets tests answer as GitHub would."""

    def __init__(
        self, api_url: str, *, transport: httpx.BaseTransport | None = None, timeout: float = 30
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.api_url,
            transport=transport,
            timeout=timeout,
            headers={"Accept": ACCEPT, "X-GitHub-Api-Version": API_VERSION},
        )

    def close(self) -> None:
        self._http.close()

    def _request(
        self, method: str, path: str, authorization: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        try:
            response = self._http.request(
                method, path, json=body, headers={"Authorization": authorization}
            )
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable(f"GitHub API {self.api_url} unreachable: {exc}") from None
        if response.status_code == 422:
            raise Conflict(f"GitHub refused {method} {path}: {_message(response)}")
        if response.status_code >= 400:
            raise UpstreamUnavailable(
                f"GitHub answered {response.status_code} to {method} {path}: {_message(response)}"
            )
        data: dict[str, Any] = response.json()
        return data

    def repo_installation(self, app: GitHubApp, repo: GitHubRepo) -> str:
        """The id of the App's installation that covers ``repo``."""
        data = self._request(
            "GET", f"/repos/{repo.owner}/{repo.name}/installation", f"Bearer {app_jwt(app)}"
        )
        return str(data["id"])

    def installation_token(self, app: GitHubApp, installation_id: str) -> tuple[str, datetime]:
        """A fresh installation token and when it expires."""
        data = self._request(
            "POST",
            f"/app/installations/{installation_id}/access_tokens",
            f"Bearer {app_jwt(app)}",
        )
        expires = datetime.fromisoformat(str(data["expires_at"]).replace("Z", "+00:00"))
        return str(data["token"]), expires

    def create_pull_request(
        self, token: str, repo: GitHubRepo, *, head: str, base: str, title: str, body: str
    ) -> str:
        """Open a pull request of ``head`` into ``base``; its web URL."""
        data = self._request(
            "POST",
            f"/repos/{repo.owner}/{repo.name}/pulls",
            f"token {token}",
            {"title": title, "head": head, "base": base, "body": body},
        )
        return str(data["html_url"])


def _message(response: httpx.Response) -> str:
    try:
        return str(response.json().get("message", ""))[:300]
    except ValueError:
        return response.text[:300]


class InstallationTokens:
    """Installation tokens per (API root, app, installation, private key), reused until 5 min
    before expiry. The key's digest is part of it, so only a caller holding the private key
    that minted a token gets it back (another org naming the same app and installation with
    another key does not). The credential row itself is read at every use, so removing it
    on any node stops its pushes at once.

    One per process, kept by ``Services`` (``services.component(InstallationTokens)``).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, str, str, str], tuple[str, datetime]] = {}

    def get(self, client: GitHubClient, app: GitHubApp, repo: GitHubRepo) -> str:
        installation = app.installation_id or client.repo_installation(app, repo)
        holder = hashlib.sha256(app.private_key.encode()).hexdigest()
        key = (client.api_url, app.app_id, installation, holder)
        with self._lock:
            cached = self._tokens.get(key)
            if cached and cached[1] - datetime.now(UTC) > REFRESH_BEFORE:
                return cached[0]
        token, expires = client.installation_token(app, installation)
        with self._lock:
            self._tokens[key] = (token, expires)
        return token
