"""Turning an upstream's stored credential into what one git or GitHub call needs.

A token is used as is; a GitHub App's key becomes an installation token first (cached in
``github.installation_tokens``). Nothing returned here is stored or logged.
"""

from __future__ import annotations

from draftroom import store
from draftroom.config import Settings
from draftroom.domain.upstream.credentials import OpenedCredential, open_credential
from draftroom.domain.upstream.github import (
    GitHubClient,
    GitHubRepo,
    github_repo,
    installation_tokens,
)
from draftroom.errors import InvalidInput
from draftroom.git import GitAuth


def _opened(settings: Settings, upstream: store.Upstream) -> OpenedCredential | None:
    if upstream.credential is None:
        return None
    return open_credential(settings, upstream.credential)


def repo_on_github(upstream: store.Upstream) -> GitHubRepo:
    return github_repo(upstream.url, upstream.github_api_url)


def _token(settings: Settings, upstream: store.Upstream, credential: OpenedCredential) -> str:
    if credential.app is None:
        assert credential.token is not None
        return credential.token
    repo = repo_on_github(upstream)
    client = GitHubClient(repo.api_url, timeout=settings.upstream_timeout_seconds)
    try:
        return installation_tokens.get(client, credential.app, repo)
    finally:
        client.close()


def git_auth(settings: Settings, upstream: store.Upstream) -> GitAuth | None:
    """Credentials for git transport to ``upstream``; None for an open or ssh-agent remote."""
    credential = _opened(settings, upstream)
    if credential is None:
        return None
    return GitAuth(credential.username, _token(settings, upstream, credential))


def api_token(settings: Settings, upstream: store.Upstream) -> str:
    """A token for GitHub's REST API on ``upstream``'s repository."""
    credential = _opened(settings, upstream)
    if credential is None:
        raise InvalidInput(
            "opening pull requests needs a credential on the upstream; add one with "
            "'draftroom credential add' and register the repository with --credential"
        )
    return _token(settings, upstream, credential)
