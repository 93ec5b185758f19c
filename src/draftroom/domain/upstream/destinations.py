"""Where an upstream's credential may go: checked when a repository is added and again before
every fetch, push and GitHub API call, so a stored secret only ever reaches the host it was
stored for.

- No target on this server's disk or network (``file://``, loopback, private, link-local,
  resolved addresses included) unless ``DRAFTROOM_ALLOW_PRIVATE_URLS`` (``check_outbound_url``).
- A credential travels over https or ssh only; plain http only to a private address that
  setting allows (a test or lab git server).
- A GitHub App only to github.com or a ``DRAFTROOM_GITHUB_HOSTS`` host (API root: the host
  itself or ``api.<host>``).
- A token only to the host it is bound to: given when it is stored (``host``), or else the
  host of the first repository added with it.
"""

from __future__ import annotations

from draftroom import store
from draftroom.config import Destination, Settings, check_outbound_url
from draftroom.errors import InvalidInput


def _api_hosts(host: str) -> set[str]:
    return {host, f"api.{host}"}


def _check_transport(where: Destination, what: str, credential: store.UpstreamCredential) -> None:
    if where.scheme in ("https", "ssh") or (where.scheme in ("http", "file") and where.private):
        return
    raise InvalidInput(
        f"credential {credential.name!r} is only sent over https (or ssh); {what} is "
        f"{where.scheme}://{where.host}"
    )


def _check_host(
    settings: Settings, host: str, credential: store.UpstreamCredential, *, api: bool
) -> None:
    if credential.kind == "github_app":
        allowed = {h for g in settings.github_host_set for h in (_api_hosts(g) if api else {g})}
        if host not in allowed:
            raise InvalidInput(
                f"credential {credential.name!r} is a GitHub App: it is only sent to github.com "
                f"or a host in DRAFTROOM_GITHUB_HOSTS, not {host!r}"
            )
    elif credential.host is not None:
        allowed = _api_hosts(credential.host) if api else {credential.host}
        if host not in allowed:
            raise InvalidInput(
                f"credential {credential.name!r} was stored for {credential.host!r}: it is "
                f"never sent to {host!r}; store another credential for that host"
            )


def check_upstream(
    settings: Settings,
    url: str,
    credential: store.UpstreamCredential | None,
    github_api_url: str | None = None,
) -> str:
    """Refuse (400) an upstream ``url``, or GitHub API root, that ``credential`` may not reach;
    the upstream's host ("" for an allowed ``file://``)."""
    allow = settings.allow_private_urls
    if github_api_url is not None:
        api = check_outbound_url(github_api_url, allow_private=allow, what="github_api_url")
        if api.scheme not in ("https", "http") or (api.scheme == "http" and not api.private):
            raise InvalidInput(f"github_api_url must be https://, got {github_api_url!r}")
        if not any(api.host in _api_hosts(g) for g in settings.github_host_set):
            raise InvalidInput(
                f"github_api_url host {api.host!r} is not github.com or a host in "
                "DRAFTROOM_GITHUB_HOSTS"
            )
        if credential is not None:
            _check_transport(api, "github_api_url", credential)
            _check_host(settings, api.host, credential, api=True)
    where = check_outbound_url(url, allow_private=allow, what="upstream URL")
    if credential is not None:
        _check_transport(where, "the upstream URL", credential)
        _check_host(settings, where.host, credential, api=False)
    return where.host


def check_api_root(settings: Settings, api_url: str, credential: store.UpstreamCredential) -> None:
    """Refuse a GitHub API root (given or derived from the upstream URL) the credential may not
    reach: checked before every API call."""
    where = check_outbound_url(api_url, allow_private=settings.allow_private_urls, what="API root")
    _check_transport(where, "the GitHub API root", credential)
    _check_host(settings, where.host, credential, api=True)
