"""Who is calling: the one place a bearer credential (an API key, or a signed-in person's
access token) becomes a ``Principal``.

Only ``Registry.invoke`` (and the registry's ``admit`` for entry points that are not tool
calls, such as the MCP endpoint) calls ``authenticate``: no adapter checks a key on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from draftroom.domain.access.tokens import authenticate_api_key
from draftroom.domain.calls import Principal, Services
from draftroom.errors import Unauthorized
from draftroom.store import ApiKey

MISSING_KEY = "send your API key as 'Authorization: Bearer <key>'"


@dataclass(frozen=True)
class Bearer:
    """The credential a caller presented, not yet checked; ``None`` when it sent none."""

    credential: str | None

    @classmethod
    def from_header(cls, authorization: str | None) -> Bearer:
        """From an ``Authorization`` header value (RFC 6750: ``Bearer <credential>``)."""
        scheme, _, credential = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            return cls(None)
        return cls(credential.strip())


def authenticate(services: Services, bearer: Bearer) -> Principal:
    """The principal behind a live API key or a signed-in person's access token (``dra_``),
    or ``Unauthorized`` (one message for every bad key, one for every bad access token)."""
    # Imported here: sign-in builds on this package (its secrets, its lockout).
    from draftroom.domain.signin import authenticate_access_token, is_access_token

    if bearer.credential is None:
        raise Unauthorized(MISSING_KEY)
    with services.database.session() as session:
        if is_access_token(bearer.credential):
            return authenticate_access_token(session, bearer.credential)
        return principal_of(authenticate_api_key(session, bearer.credential))


def principal_of(key: ApiKey) -> Principal:
    """The principal ``key`` makes, with the person it acts for (loaded from the key)."""
    user = key.user
    return Principal(
        api_key_id=key.id,
        org_id=key.org_id,
        role=key.role,
        user_id=user.id if user else None,
        person_role=user.role if user else None,
        user_email=user.email if user else None,
        user_name=user.name if user else None,
    )
