"""The authorization endpoint's steps: check the request, sign the person in, ask consent
once per client, then redirect to the client's exact ``redirect_uri`` with a code.

A request whose client or ``redirect_uri`` is unknown is refused here (``InvalidInput``, an
error page), never redirected; other refusals go back to the validated ``redirect_uri``.
Between the password and the consent the person holds a one-use ticket (hashed, 10 min).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from authlib.oauth2.rfc6749 import OAuth2Error
from sqlalchemy.orm import Session

from draftroom import store
from draftroom.domain.access import hash_secret
from draftroom.domain.calls import Services
from draftroom.domain.signin.credentials import SCOPE, new_secret
from draftroom.domain.signin.people import check_password
from draftroom.domain.signin.server import CODE_TTL, Answer, Params, Request, Server, request_for
from draftroom.errors import Forbidden, InvalidInput
from draftroom.store import User, utc_now

AUTHORIZE_PATH = "/oauth/authorize"
CARRIED = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "resource",
)
"""The request's parameters a sign-in form carries along as hidden fields."""
_MAX_PARAM = 2000


@dataclass(frozen=True)
class Prompt:
    """A form to show: sign-in (``ticket`` None) or consent (``ticket`` set)."""

    client_name: str
    params: Params
    ticket: str | None = None
    email: str | None = None


def carried(params: Params) -> Params:
    """The request parameters worth carrying (known names, bounded sizes)."""
    return [(name, value[:_MAX_PARAM]) for name, value in params if name in CARRIED]


def _request(services: Services, params: Params) -> Request:
    return request_for(services.settings, "GET", AUTHORIZE_PATH, carried(params), None)


def _grant(server: Server, request: Request) -> object:
    """Authlib's validated grant, or a refusal: an ``Answer`` redirecting to the validated
    ``redirect_uri``, or ``InvalidInput`` (shown as a page) when there is none."""
    try:
        return server.get_consent_grant(request)
    except OAuth2Error as error:
        if error.redirect_uri:
            return server.handle_error_response(request, error)
        raise InvalidInput(
            f"this sign-in link is not valid ({error.description or error.error}); go back to "
            "the app and start again"
        ) from None


def begin(services: Services, params: Params) -> Prompt | Answer:
    """The sign-in form for a valid request, or its refusal."""
    with services.database.session() as session:
        server, request = Server(services, session), _request(services, params)
        grant = _grant(server, request)
        if isinstance(grant, Answer):
            return grant
        return Prompt(request.client.record.name, carried(params))


def sign_in(
    services: Services, params: Params, email: str, password: str, address: str | None
) -> Prompt | Answer:
    """Check the password; then the code's redirect, or the consent form the first time."""

    def who(session: Session, org_id: int | None) -> User:
        settings = services.settings
        return check_password(
            session,
            settings,
            email,
            password,
            address=address,
            org_id=org_id,
            counters=services.counters,
        )

    return signed_in_as(services, params, who)


def signed_in_as(
    services: Services, params: Params, who: Callable[[Session, int | None], User]
) -> Prompt | Answer:
    """For a valid request, the person ``who`` names (given the client's org, if it has one):
    a code's redirect when they already allowed the client, else the consent form."""
    with services.database.session() as session:
        server, request = Server(services, session), _request(services, params)
        grant = _grant(server, request)
        if isinstance(grant, Answer):
            return grant
        record = request.client.record
        user = who(session, record.org_id)
        if store.has_oauth_consent(session, user.id, record.id):
            return _issue(server, request, grant, user)
        ticket = new_secret()
        store.add_oauth_grant(
            session,
            id=hash_secret(ticket),
            kind="ticket",
            client_id=record.id,
            user_id=user.id,
            redirect_uri=grant.redirect_uri,  # type: ignore[attr-defined]
            scope=SCOPE,
            expires_at=utc_now() + CODE_TTL,
        )
        session.commit()
        return Prompt(record.name, carried(params), ticket, user.email)


def decide(services: Services, params: Params, ticket: str, allowed: bool) -> Answer:
    """The person's consent: a code for the client (remembered), or ``access_denied``."""
    with services.database.session() as session:
        server, request = Server(services, session), _request(services, params)
        grant = _grant(server, request)
        if isinstance(grant, Answer):
            return grant
        user = _ticket_holder(session, ticket, request.client.record.id, grant)
        if allowed:
            store.add_oauth_consent(session, user.id, request.client.record.id)
        return _issue(server, request, grant, user if allowed else None)


def _ticket_holder(session: Session, ticket: str, client_id: str, grant: object) -> User:
    found = store.get_oauth_grant(session, hash_secret(ticket), "ticket") if ticket else None
    valid = (
        found is not None
        and found.client_id == client_id
        and found.redirect_uri == grant.redirect_uri  # type: ignore[attr-defined]
        and found.expires_at > utc_now()
        and found.user.removed_at is None
    )
    if not valid:
        raise Forbidden(
            "this sign-in expired or was already used; go back to the app and start again"
        )
    assert found is not None
    store.delete_oauth_grant(session, found)
    return found.user


def _issue(server: Server, request: Request, grant: object, user: User | None) -> Answer:
    answer = server.create_authorization_response(request, grant_user=user, grant=grant)
    assert isinstance(answer, Answer)
    server.session.commit()
    return answer
