"""An API key sent as a bearer credential, and the ``Principal`` a key makes.

``domain.signin.authenticate`` is the one place a bearer (an API key, or a signed-in
person's access token) becomes a principal; it calls ``key_principal`` for keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from draftroom.domain.access.tokens import authenticate_api_key
from draftroom.domain.calls import Principal
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


def key_principal(session: Session, credential: str) -> Principal:
    """The principal behind a live API key, or ``Unauthorized`` (one message for every bad key)."""
    return principal_of(authenticate_api_key(session, credential))


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
