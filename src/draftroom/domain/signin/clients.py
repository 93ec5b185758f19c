"""OAuth clients: registered by MCP clients themselves (RFC 7591, public, PKCE) or by the
owner for a Custom GPT (confidential: a secret shown once, stored hashed).

A redirect URI is https, or http on a loopback host (RFC 8252 native apps); each is matched
exactly at sign-in, so nothing here ever becomes an open redirect.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.access import hash_secret, new_credential_id
from draftroom.domain.signin.credentials import SCOPE, new_secret
from draftroom.errors import InvalidInput, NotFound
from draftroom.store import OAuthClient, utc_now

CLIENT_PREFIX = "drc_"
MAX_REDIRECT_URIS = 10
MAX_URI_LENGTH = 2000
MAX_NAME_LENGTH = 200
GRANT_TYPES = ["authorization_code", "refresh_token"]


@dataclass(frozen=True)
class IssuedClient:
    client: OAuthClient
    secret: str | None
    """The plaintext secret of a confidential client: shown once, never stored."""


def check_redirect_uri(uri: object) -> str:
    """``uri`` if it may receive codes: https, or http on loopback; no fragment."""
    if not isinstance(uri, str) or not uri or len(uri) > MAX_URI_LENGTH:
        raise InvalidInput(f"redirect_uri must be a URL of at most {MAX_URI_LENGTH} characters")
    try:
        parts = urlsplit(uri)
        host = parts.hostname
    except ValueError:
        raise InvalidInput(f"redirect_uri {uri!r} is not a URL") from None
    if not host or parts.fragment or any(c.isspace() for c in uri):
        raise InvalidInput(f"redirect_uri {uri!r} needs a host and no fragment")
    if parts.scheme == "https" or (parts.scheme == "http" and _loopback(host)):
        return uri
    raise InvalidInput(f"redirect_uri {uri!r} must be https (or http on localhost/127.0.0.1)")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"client_name must be 1 to {MAX_NAME_LENGTH} characters")
    return name.strip()


def add_client(
    session: Session,
    name: str,
    redirect_uris: list[str],
    *,
    confidential: bool,
    org_id: int | None = None,
) -> IssuedClient:
    """A new client; a confidential one gets a secret (returned here once)."""
    if not redirect_uris or len(redirect_uris) > MAX_REDIRECT_URIS:
        raise InvalidInput(f"give 1 to {MAX_REDIRECT_URIS} redirect_uris")
    uris = [check_redirect_uri(uri) for uri in redirect_uris]
    secret = new_secret() if confidential else None
    client = store.add_oauth_client(
        session,
        client_id=CLIENT_PREFIX + new_credential_id(),
        name=_check_name(name),
        redirect_uris=uris,
        secret_hash=hash_secret(secret) if secret else None,
        org_id=org_id,
    )
    return IssuedClient(client, secret)


def register_client(session: Session, metadata: object) -> dict[str, Any]:
    """RFC 7591 registration of a public client; its answer (client metadata)."""
    if not isinstance(metadata, dict):
        raise InvalidInput("send the client metadata as a JSON object")
    method = metadata.get("token_endpoint_auth_method", "none")
    if method != "none":
        raise InvalidInput(
            "only public clients register themselves (token_endpoint_auth_method 'none', PKCE)"
        )
    grant_types = metadata.get("grant_types", GRANT_TYPES)
    if not isinstance(grant_types, list) or not set(grant_types) <= set(GRANT_TYPES):
        raise InvalidInput(f"grant_types may only be {GRANT_TYPES}")
    if metadata.get("response_types", ["code"]) != ["code"]:
        raise InvalidInput("response_types may only be ['code']")
    uris = metadata.get("redirect_uris")
    if not isinstance(uris, list):
        raise InvalidInput("redirect_uris must be a list of URLs")
    issued = add_client(
        session, metadata.get("client_name", "MCP client"), uris, confidential=False
    )
    client = issued.client
    return {
        "client_id": client.id,
        "client_id_issued_at": int(client.created_at.timestamp()),
        "client_name": client.name,
        "redirect_uris": client.redirect_uris,
        "token_endpoint_auth_method": "none",
        "grant_types": GRANT_TYPES,
        "response_types": ["code"],
        "scope": SCOPE,
    }


def revoke_client(session: Session, client_id: str, org_id: int) -> OAuthClient:
    """Revoke a client (of ``org_id``, or a self-registered one) and, at once, every token
    issued to it."""
    client = store.get_oauth_client(session, client_id)
    if client is None or client.org_id not in (None, org_id):
        raise NotFound(f"no OAuth client {client_id!r}", client_id=client_id)
    if client.revoked_at is None:
        client.revoked_at = utc_now()
    store.revoke_oauth_tokens(session, client_id=client.id)
    return client
