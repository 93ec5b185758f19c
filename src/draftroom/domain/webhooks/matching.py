"""Which registered upstream a delivery is about, from the URLs and name its payload gives.

URLs compare as ``host/path`` in lower case, without scheme, credentials, port or ``.git``,
so the https URL a forge sends matches an upstream registered by ssh too; a bare
``owner/name`` (``full_name``, ``path_with_namespace``) matches the path. A match only makes
an upstream a candidate: the delivery must still carry its secret's signature.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

_SCP = re.compile(r"^[\w.+-]+@([\w.-]+):(?!//)(.+)$")
URL_FIELDS = ("clone_url", "html_url", "ssh_url", "git_url", "url", "homepage", "web_url")
URL_FIELDS_GITLAB = ("git_http_url", "git_ssh_url", "web_url", "http_url", "ssh_url", "url")
NAME_FIELDS = ("full_name", "path_with_namespace")


def _path(path: str) -> str:
    path = path.strip().strip("/").lower()
    return path.removesuffix(".git").rstrip("/")


def url_key(url: str) -> str | None:
    """``host/path`` of a git or web URL (https, http, ssh, scp-like ``git@host:path``)."""
    text = url.strip()
    scp = _SCP.match(text)
    if scp:
        host, path = scp.group(1), scp.group(2)
    else:
        try:
            parts = urlsplit(text)
            host, path = parts.hostname or "", parts.path
        except ValueError:
            return None
    path = _path(path)
    if not host or not path:
        return None
    return f"{host.lower().rstrip('.')}/{path}"


@dataclass(frozen=True)
class Named:
    """What a payload says its repository is."""

    urls: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.urls or self.names)

    def matches(self, upstream_url: str) -> bool:
        key = url_key(upstream_url)
        if key is None:
            return False
        return key in self.urls or key.partition("/")[2] in self.names


def named_repository(payload: dict[str, Any]) -> Named:
    """The repository a delivery names: ``repository`` (GitHub, Gitea) or ``project`` (GitLab)."""
    named = Named()
    for block, fields in (("repository", URL_FIELDS), ("project", URL_FIELDS_GITLAB)):
        found = payload.get(block)
        if not isinstance(found, dict):
            continue
        for name in fields:
            value = found.get(name)
            if isinstance(value, str) and len(value) <= 4096 and (key := url_key(value)):
                named.urls.add(key)
        for name in NAME_FIELDS:
            value = found.get(name)
            if isinstance(value, str) and 0 < len(value) <= 1000:
                named.names.add(_path(value))
    return named
