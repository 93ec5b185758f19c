"""The machine-facing OAuth endpoints: discovery documents, client registration, token,
revocation. Their answers follow the RFCs (``{"error": ..., "error_description": ...}``),
not draftroom's error envelope: OAuth clients read them.
"""

from __future__ import annotations

from typing import Any

from draftroom.config import Settings
from draftroom.domain.calls import Services
from draftroom.domain.signin.authorize import AUTHORIZE_PATH
from draftroom.domain.signin.clients import GRANT_TYPES, register_client
from draftroom.domain.signin.credentials import SCOPE
from draftroom.domain.signin.server import Answer, Params, Server, request_for
from draftroom.errors import InvalidInput

TOKEN_PATH = "/oauth/token"
REGISTER_PATH = "/oauth/register"
REVOKE_PATH = "/oauth/revoke"
SERVER_METADATA_PATH = "/.well-known/oauth-authorization-server"
RESOURCE_METADATA_PATH = "/.well-known/oauth-protected-resource"


def _base(settings: Settings) -> str:
    return settings.public_url.rstrip("/")


def server_metadata(settings: Settings) -> dict[str, Any]:
    """RFC 8414: where to sign in, get tokens and register; what is supported."""
    base = _base(settings)
    return {
        "issuer": base,
        "authorization_endpoint": base + AUTHORIZE_PATH,
        "token_endpoint": base + TOKEN_PATH,
        "registration_endpoint": base + REGISTER_PATH,
        "revocation_endpoint": base + REVOKE_PATH,
        "response_types_supported": ["code"],
        "grant_types_supported": GRANT_TYPES,
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": [
            "none",
            "client_secret_basic",
            "client_secret_post",
        ],
        "revocation_endpoint_auth_methods_supported": [
            "none",
            "client_secret_basic",
            "client_secret_post",
        ],
        "scopes_supported": [SCOPE],
    }


def resource_metadata(settings: Settings, resource_path: str = "") -> dict[str, Any]:
    """RFC 9728: this server's tools (``resource_path``: ``/mcp`` for the MCP endpoint's
    own document) are protected by its own authorization server."""
    base = _base(settings)
    return {
        "resource": base + resource_path,
        "authorization_servers": [base],
        "bearer_methods_supported": ["header"],
        "scopes_supported": [SCOPE],
        "resource_name": "draftroom",
    }


def resource_metadata_url(settings: Settings) -> str:
    """What a 401's ``WWW-Authenticate: Bearer resource_metadata=...`` names."""
    return _base(settings) + RESOURCE_METADATA_PATH


def bearer_challenge(settings: Settings) -> str:
    return f'Bearer resource_metadata="{resource_metadata_url(settings)}"'


def register(services: Services, metadata: object) -> Answer:
    """RFC 7591: a public client's registration (201), or ``invalid_client_metadata`` /
    ``invalid_redirect_uri`` (400)."""
    try:
        with services.database.session() as session:
            body = register_client(session, metadata)
    except InvalidInput as exc:
        code = (
            "invalid_redirect_uri" if "redirect_uri" in exc.message else "invalid_client_metadata"
        )
        return Answer(400, {"error": code, "error_description": exc.message})
    return Answer(201, body)


def token(services: Services, params: Params, authorization: str | None) -> Answer:
    """The token endpoint: an authorization code (with its PKCE verifier) or a refresh token
    for a new access token and rotated refresh token."""
    return _serve(services, TOKEN_PATH, params, authorization, None)


def revoke(services: Services, params: Params, authorization: str | None) -> Answer:
    """RFC 7009: revoke a sign-in (the token's whole family); 200 even for unknown tokens."""
    return _serve(services, REVOKE_PATH, params, authorization, "revocation")


def _serve(
    services: Services, path: str, params: Params, authorization: str | None, endpoint: str | None
) -> Answer:
    with services.database.session() as session:
        server = Server(services, session)
        request = request_for(services.settings, "POST", path, params, authorization)
        if endpoint is None:
            answer = server.create_token_response(request)
        else:
            answer = server.create_endpoint_response(endpoint, request)
        assert isinstance(answer, Answer)
        return answer
