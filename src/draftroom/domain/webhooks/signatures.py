"""Each forge's proof that a delivery came from it, checked in constant time.

GitHub: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``; Gitea (and
Forgejo): ``X-Gitea-Signature: <hex HMAC-SHA256>``; GitLab: ``X-Gitlab-Token: <the secret>``.
The header names of the delivery id and event are here too.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Forge = Literal["github", "gitea", "gitlab"]
FORGES: tuple[Forge, ...] = ("github", "gitea", "gitlab")


@dataclass(frozen=True)
class Scheme:
    proof: str
    """The header carrying the signature (or GitLab's token)."""
    event: str
    delivery: tuple[str, ...]
    """Headers naming the delivery, first found wins (GitLab has used two)."""


SCHEMES: dict[Forge, Scheme] = {
    "github": Scheme("x-hub-signature-256", "x-github-event", ("x-github-delivery",)),
    "gitea": Scheme("x-gitea-signature", "x-gitea-event", ("x-gitea-delivery",)),
    "gitlab": Scheme(
        "x-gitlab-token", "x-gitlab-event", ("x-gitlab-event-uuid", "idempotency-key")
    ),
}


def _hmac_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def expected_proof(forge: Forge, secret: str, body: bytes) -> str:
    """What the forge's proof header holds for ``body`` signed with ``secret``."""
    if forge == "github":
        return "sha256=" + _hmac_hex(secret, body)
    if forge == "gitea":
        return _hmac_hex(secret, body)
    return secret


def proof_matches(forge: Forge, proof: str, secret: str, body: bytes) -> bool:
    """Whether ``proof`` (the header as sent) is ``body``'s with ``secret``; constant time."""
    expected = expected_proof(forge, secret, body).encode()
    given = proof.strip()
    if forge != "gitlab":
        given = given.lower()
    return hmac.compare_digest(expected, given.encode("utf-8", "surrogateescape"))


def header(headers: Mapping[str, str], name: str) -> str | None:
    """``name`` (lower case) from ``headers`` of any case; None when absent or blank."""
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return value.strip() if value and value.strip() else None
