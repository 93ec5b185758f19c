"""Turning an upstream's stored credential into what one git or GitHub call needs.

A token is used as is; a GitHub App's key becomes an installation token first (cached in
``services.component(InstallationTokens)``). Nothing returned here is stored or logged.
"""

from __future__ import annotations

from draftroom import store
from draftroom.domain.calls import Services
from draftroom.domain.upstream.credentials import OpenedCredential, open_credential
from draftroom.domain.upstream.destinations import check_api_root, check_upstream
from draftroom.domain.upstream.github import (
    GitHubClient,
    GitHubRepo,
    InstallationTokens,
    github_repo,
)
from draftroom.errors import InvalidInput
from draftroom.git import GitAuth


def _opened(services: Services, upstream: store.Upstream) -> OpenedCredential | None:
    if upstream.credential is None:
        return None
    return open_credential(services.settings, upstream.credential)


def repo_on_github(upstream: store.Upstream) -> GitHubRepo:
    return github_repo(upstream.url, upstream.github_api_url)


def _token(services: Services, upstream: store.Upstream, credential: OpenedCredential) -> str:
    if credential.app is None:
        assert credential.token is not None
        return credential.token
    repo = repo_on_github(upstream)
    assert upstream.credential is not None
    check_api_root(services.settings, repo.api_url, upstream.credential)
    client = GitHubClient(repo.api_url, timeout=services.settings.upstream_timeout_seconds)
    try:
        return services.component(InstallationTokens).get(client, credential.app, repo)
    finally:
        client.close()


def git_auth(services: Services, upstream: store.Upstream) -> GitAuth | None:
    """Credentials for git transport to ``upstream``; None for an open or ssh-agent remote.

    Refuses (400) a target the credential may not reach, before anything is sent: this runs
    before every clone, fetch and push, so a URL or DNS answer that changed is caught too."""
    settings = services.settings
    host = check_upstream(settings, upstream.url, upstream.credential, upstream.github_api_url)
    credential = _opened(services, upstream)
    if credential is None:
        return None
    return GitAuth(credential.username, _token(services, upstream, credential), host)


def api_token(services: Services, upstream: store.Upstream) -> str:
    """A token for GitHub's REST API on ``upstream``'s repository."""
    credential = _opened(services, upstream)
    if credential is None:
        raise InvalidInput(
            "opening pull requests needs a credential on the upstream; add one with "
            "'draftroom credential add' and register the repository with --credential"
        )
    assert upstream.credential is not None
    check_upstream(services.settings, upstream.url, upstream.credential, upstream.github_api_url)
    check_api_root(services.settings, repo_on_github(upstream).api_url, upstream.credential)
    return _token(services, upstream, credential)
