"""The OAuth 2.1 authorization server: Authlib's grants over draftroom's store.

Authlib has no Starlette integration, so this adapts plain request data (method, URL, form
fields, the ``Authorization`` header) to its ``OAuth2Request`` and its answers to ``Answer``.
Authorization codes (PKCE: S256 only, required of public clients) and refresh tokens
(rotating; a replayed one revokes its family) are Authlib's ``AuthorizationCodeGrant`` and
``RefreshTokenGrant``; one server is built per request around that request's session.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from authlib.oauth2.rfc6749 import (
    AuthorizationCodeMixin,
    AuthorizationServer,
    ClientMixin,
    InsecureTransportError,
    InvalidRequestError,
    OAuth2Payload,
    OAuth2Request,
    TokenMixin,
)
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, RefreshTokenGrant
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from sqlalchemy.orm import Session

from draftroom import store
from draftroom.config import Settings
from draftroom.domain.access import hash_secret, verify_secret
from draftroom.domain.calls import Services
from draftroom.domain.signin.credentials import (
    SCOPE,
    find_token,
    new_tokens,
    refreshable,
    save_tokens,
)
from draftroom.errors import InvalidInput
from draftroom.store import OAuthClient, OAuthGrant, OAuthToken, User, utc_now

CODE_TTL = timedelta(minutes=10)
AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
Params = list[tuple[str, str]]


@dataclass(frozen=True)
class Answer:
    """What the server answers: a status, a JSON body (or ``""``), headers (e.g. ``Location``)."""

    status: int
    body: Any
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def location(self) -> str | None:
        return next((value for name, value in self.headers if name == "Location"), None)


class _Payload(OAuth2Payload):
    def __init__(self, params: Params) -> None:
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for name, value in params:
            self._datalist[name].append(value)
        self._data = {name: values[0] for name, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class Request(OAuth2Request):
    """One HTTP request as Authlib reads it: the query (GET) or form (POST) parameters."""

    def __init__(self, method: str, uri: str, params: Params, authorization: str | None) -> None:
        super().__init__(method, uri, headers={"Authorization": authorization or ""})
        self.payload = _Payload(params)

    @property
    def args(self) -> dict[str, str]:
        return self.payload.data

    @property
    def form(self) -> dict[str, str]:
        return self.payload.data


def request_for(
    settings: Settings, method: str, path: str, params: Params, authorization: str | None
) -> Request:
    """The request at ``path`` of the public URL; ``InvalidInput`` unless that is https
    (or http on loopback): OAuth never runs over plain http on a network."""
    try:
        return Request(method, settings.public_url.rstrip("/") + path, params, authorization)
    except InsecureTransportError:
        raise InvalidInput(
            "sign-in needs https: set DRAFTROOM_PUBLIC_URL to the https URL clients use"
        ) from None


class Client(ClientMixin):
    def __init__(self, record: OAuthClient) -> None:
        self.record = record

    @property
    def public(self) -> bool:
        return self.record.secret_hash is None

    def get_client_id(self) -> str:
        return self.record.id

    def get_default_redirect_uri(self) -> str | None:
        uris = self.record.redirect_uris
        return uris[0] if len(uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str:
        return SCOPE

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.record.redirect_uris  # exact match: no open redirect

    def check_client_secret(self, client_secret: str) -> bool:
        stored = self.record.secret_hash
        return verify_secret(client_secret, stored) if stored else False

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.public:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


class Code(AuthorizationCodeMixin):
    def __init__(self, record: OAuthGrant) -> None:
        self.record = record
        self.code_challenge = record.code_challenge
        self.code_challenge_method = record.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.record.redirect_uri

    def get_scope(self) -> str:
        return self.record.scope


class Issued(TokenMixin):
    """An issuance, as the refresh grant and the revocation endpoint see it."""

    def __init__(self, record: OAuthToken) -> None:
        self.record = record

    def check_client(self, client: Client) -> bool:
        return self.record.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.record.scope

    def get_expires_in(self) -> int:
        return int((self.record.expires_at - self.record.created_at).total_seconds())

    def is_expired(self) -> bool:
        return self.record.expires_at <= utc_now()

    def is_revoked(self) -> bool:
        return self.record.revoked_at is not None


class S256Challenge(CodeChallenge):
    """PKCE with S256 only (``plain`` is refused); public clients must send it."""

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if data.get("code_challenge") and data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256")
        if not data.get("code_challenge") and grant.request.client.public:
            raise InvalidRequestError("PKCE is required: send code_challenge (S256)")
        super().validate_code_challenge(grant, redirect_uri)


class CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    server: Server

    def save_authorization_code(self, code: str, request: Request) -> None:
        data = request.payload.data
        store.add_oauth_grant(
            self.server.session,
            id=hash_secret(code),
            kind="code",
            client_id=request.client.get_client_id(),
            user_id=request.user.id,
            redirect_uri=data.get("redirect_uri") or "",
            scope=request.scope or SCOPE,
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
            expires_at=utc_now() + CODE_TTL,
        )

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        found = store.get_oauth_grant(self.server.session, hash_secret(code), "code")
        if found is None or found.client_id != client.get_client_id():
            return None
        if found.used_at is not None:
            # A code sent twice was stolen, or replayed: what its first use issued is revoked
            # (RFC 6749 4.1.2); committed with the endpoint's answer (invalid_grant).
            if found.family_id is not None:
                store.revoke_oauth_tokens(self.server.session, family_id=found.family_id)
            return None
        return Code(found) if found.expires_at > utc_now() else None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        """Mark it used (kept until it expires, to recognise a second use)."""
        authorization_code.record.used_at = utc_now()

    def authenticate_user(self, authorization_code: Code) -> User | None:
        user = authorization_code.record.user
        return user if user.removed_at is None else None


class RefreshGrant(RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True
    server: Server

    def authenticate_refresh_token(self, refresh_token: str) -> Issued | None:
        found = refreshable(self.server.session, refresh_token)
        return Issued(found) if found else None

    def authenticate_user(self, refresh_token: Issued) -> User:
        return refresh_token.record.user

    def revoke_old_credential(self, refresh_token: Issued) -> None:
        """Nothing left to do: ``refreshable`` rotated it when it was presented."""


class Revocation(RevocationEndpoint):
    """RFC 7009: revoking either token of a sign-in revokes its whole family."""

    CLIENT_AUTH_METHODS = AUTH_METHODS
    server: Server

    def query_token(self, token_string: str, token_type_hint: str | None) -> Issued | None:
        found = find_token(self.server.session, token_string)
        return Issued(found) if found else None

    def revoke_token(self, token: Issued, request: Request) -> None:
        store.revoke_oauth_tokens(self.server.session, family_id=token.record.family_id)


class Server(AuthorizationServer):
    def __init__(self, services: Services, session: Session) -> None:
        super().__init__()
        self.services, self.session = services, session
        self.register_grant(CodeGrant, [S256Challenge(required=True)])
        self.register_grant(RefreshGrant)
        self.register_endpoint(Revocation)
        self.register_token_generator("default", self._generate)

    def _generate(self, grant_type: str, client: Client, **rest: Any) -> dict[str, Any]:
        return new_tokens(self.services.settings, SCOPE)

    def query_client(self, client_id: str) -> Client | None:
        record = store.get_oauth_client(self.session, client_id)
        return Client(record) if record and record.revoked_at is None else None

    def save_token(self, token: dict[str, Any], request: Request) -> None:
        family = request.refresh_token.record.family_id if request.refresh_token else None
        issued = save_tokens(
            self.session,
            self.services.settings,
            token,
            client_id=request.client.get_client_id(),
            user_id=request.user.id,
            family_id=family,
        )
        code = request.authorization_code
        if isinstance(code, Code):
            code.record.family_id = issued.family_id

    def create_oauth2_request(self, request: Request) -> Request:
        return request

    def handle_response(self, status: int, body: Any, headers: Any) -> Answer:
        return Answer(status, body, list(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signals: nothing listens."""
