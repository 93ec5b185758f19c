"""A repository's webhook: the URLs to paste into its forge and the secret, created once.

The secret is stored encrypted under the org's webhook key (``DRAFTROOM_SECRET_KEY``); it is
shown only to whoever runs ``draftroom repo webhook`` at the server's shell. A secret that
no longer decrypts (the secret key changed) is replaced by a new one, which says so.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.calls import Services
from draftroom.domain.upstream import open_webhook_secret, seal_webhook_secret
from draftroom.domain.webhooks.signatures import FORGES, Forge
from draftroom.errors import NotFound, RepoNotFound

WEBHOOK_PATH = "/webhooks/"


@dataclass(frozen=True)
class WebhookSetup:
    repo_name: str
    forge: Forge
    """The forge the upstream's host looks like (GitHub unless it says GitLab or Gitea)."""
    urls: dict[str, str]
    secret: str
    created: bool

    def __repr__(self) -> str:  # keeps the secret out of tracebacks and logs
        return f"WebhookSetup(repo_name={self.repo_name!r}, created={self.created})"

    @property
    def url(self) -> str:
        return self.urls[self.forge]


def forge_of(upstream_url: str) -> Forge:
    host = (urlsplit(upstream_url).hostname or upstream_url).lower()
    if "gitlab" in host:
        return "gitlab"
    if "gitea" in host or "forgejo" in host or "codeberg" in host:
        return "gitea"
    return "github"


def webhook_setup(
    services: Services, session: Session, org_id: int, repo_name: str
) -> WebhookSetup:
    """The repository's webhook URLs and secret, the secret made and stored on first use."""
    record = store.find_repository(session, org_id, repo_name)
    if record is None:
        raise RepoNotFound(f"no repository named {repo_name!r}")
    upstream = store.get_upstream(session, record.id)
    if upstream is None:
        raise NotFound(
            f"repository {repo_name!r} has no upstream: webhooks come from the forge it "
            "mirrors; register it with 'draftroom repo add NAME --upstream URL'"
        )
    settings = services.settings
    secret = None
    if upstream.webhook_secret is not None:
        secret = open_webhook_secret(settings, record.org_id, upstream.webhook_secret)
    created = secret is None
    if secret is None:
        secret = secrets.token_hex(32)
        upstream.webhook_secret = seal_webhook_secret(settings, record.org_id, secret)
    base = settings.public_url.rstrip("/")
    urls: dict[str, str] = {forge: f"{base}{WEBHOOK_PATH}{forge}" for forge in FORGES}
    return WebhookSetup(record.name, forge_of(upstream.url), urls, secret, created)
