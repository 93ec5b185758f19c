""" "Sign in with GitHub": a person whose verified GitHub email is their draftroom email.

Offered when ``DRAFTROOM_GITHUB_CLIENT_ID`` and ``DRAFTROOM_GITHUB_CLIENT_SECRET`` are set
(a GitHub OAuth app whose callback is ``<public URL>/oauth/github/callback``). The pending
authorization request rides in the browser's cookie beside a random ``state``; it is
validated again when the browser comes back, so a tampered cookie opens nothing. Never logs
or keeps GitHub's token: it is used for one call and dropped.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy.orm import Session

from draftroom import store
from draftroom.config import Settings
from draftroom.domain.calls import Services
from draftroom.domain.signin.authorize import Prompt, begin, signed_in_as
from draftroom.domain.signin.server import Answer, Params
from draftroom.errors import Forbidden, UpstreamUnavailable
from draftroom.store import User

CALLBACK_PATH = "/oauth/github/callback"
START_PATH = "/oauth/github"
_TIMEOUT = 10.0


def github_enabled(settings: Settings) -> bool:
    return bool(settings.github_client_id and settings.github_client_secret)


def github_start(services: Services, params: Params) -> tuple[str, str] | Answer:
    """GitHub's authorization URL and the ``state`` to keep, for a valid request (or its
    refusal, as ``begin`` answers it)."""
    settings = services.settings
    if not github_enabled(settings):
        raise Forbidden("Sign in with GitHub is not set up on this server")
    found = begin(services, params)
    if isinstance(found, Answer):
        return found
    state = secrets.token_urlsafe(24)
    query = {
        "client_id": settings.github_client_id or "",
        "redirect_uri": settings.public_url.rstrip("/") + CALLBACK_PATH,
        "scope": "user:email",
        "state": state,
        "allow_signup": "false",
    }
    return (
        f"{settings.github_signin_url.rstrip('/')}/login/oauth/authorize?{urlencode(query)}",
        state,
    )


def github_finish(services: Services, params: Params, code: str) -> Prompt | Answer:
    """Back from GitHub with ``code``: the person with one of its verified emails, on to
    consent or the code (``Forbidden`` when no person of the client's org has one)."""
    emails = _verified_emails(services.settings, code)

    def who(session: Session, org_id: int | None) -> User:
        people = {u.id: u for e in emails for u in store.users_by_email(session, e, org_id)}
        if len(people) != 1:
            raise Forbidden(
                "no one here signs in with the verified emails of this GitHub account"
                if not people
                else "this GitHub account's emails belong to several people; use your password"
            )
        return next(iter(people.values()))

    return signed_in_as(services, params, who)


def _verified_emails(settings: Settings, code: str) -> list[str]:
    secret = settings.github_client_secret
    try:
        with httpx.Client(timeout=_TIMEOUT, headers={"Accept": "application/json"}) as http:
            exchanged = http.post(
                f"{settings.github_signin_url.rstrip('/')}/login/oauth/access_token",
                data={
                    "client_id": settings.github_client_id or "",
                    "client_secret": secret.get_secret_value() if secret else "",
                    "code": code,
                    "redirect_uri": settings.public_url.rstrip("/") + CALLBACK_PATH,
                },
            )
            token = _json(exchanged).get("access_token")
            if not isinstance(token, str):
                raise Forbidden("GitHub did not accept this sign-in; start again from the app")
            listed = http.get(
                f"{settings.github_signin_api_url.rstrip('/')}/user/emails",
                headers={"Authorization": f"Bearer {token}"},
            )
    except httpx.HTTPError as exc:
        raise UpstreamUnavailable(f"GitHub could not be reached ({type(exc).__name__})") from None
    found = _json(listed)
    rows = found if isinstance(found, list) else []
    return [
        row["email"].strip().lower()
        for row in rows
        if isinstance(row, dict)
        and row.get("verified") is True
        and isinstance(row.get("email"), str)
    ]


def _json(response: httpx.Response) -> Any:
    if response.status_code != 200:
        raise Forbidden(f"GitHub refused this sign-in ({response.status_code}); start again")
    try:
        return response.json()
    except ValueError:
        raise UpstreamUnavailable("GitHub answered something that is not JSON") from None
