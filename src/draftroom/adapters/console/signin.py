"""``/console/sign-in`` and ``/console/sign-out``: the people of the org, by email and password.

The sign-in form is CSRF-protected with a double-submit cookie (there is no session yet);
once signed in, the session cookie (HttpOnly, SameSite=Lax, Secure behind https) is the
credential and every form carries the CSRF token derived from it.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from draftroom import store
from draftroom.adapters.console.web import (
    HEADERS,
    PREFIX,
    SESSION_COOKIE,
    SIGN_IN_PATH,
    Console,
    local_path,
    redirect,
)
from draftroom.domain.signin import close_console_session, open_console_session
from draftroom.errors import DraftroomError

FORM_COOKIE = "draftroom_console_form"


def add_routes(router: APIRouter, console: Console) -> None:
    services = console.services

    @router.get(SIGN_IN_PATH)
    async def sign_in_form(request: Request, next: str = PREFIX, org: str = "") -> Response:
        return _form(console, request, next, org)

    @router.post(SIGN_IN_PATH)
    async def sign_in(request: Request) -> Response:
        form = await request.form()
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        kept = request.cookies.get(FORM_COOKIE, "")
        given = fields.get("csrf_token", "")
        if not kept or not hmac.compare_digest(kept.encode(), given.encode()):
            return _form(console, request, fields.get("next", PREFIX), "", FORGED_FORM, 403)
        client = request.client.host if request.client else None
        try:
            cookie = await run_in_threadpool(_open_session, console, fields, client)
        except DraftroomError as exc:
            email, org = fields.get("email", ""), fields.get("org", "")
            next_page = fields.get("next", PREFIX)
            return _form(console, request, next_page, org, exc.message, exc.status, email)
        response = redirect(local_path(fields.get("next")))
        response.set_cookie(
            SESSION_COOKIE,
            cookie,
            max_age=services.settings.console_session_hours * 3600,
            httponly=True,
            samesite="lax",
            secure=console.secure(request),
            path=PREFIX,
        )
        response.delete_cookie(FORM_COOKIE, path=PREFIX)
        return response

    @router.post(PREFIX + "/sign-out")
    async def sign_out(request: Request) -> Response:
        try:
            await console.form(request)
        except DraftroomError as exc:
            return console.error(request, exc)
        cookie = request.cookies.get(SESSION_COOKIE, "")

        def close() -> None:
            with services.database.session() as session:
                close_console_session(session, cookie)

        await run_in_threadpool(close)
        response = redirect(SIGN_IN_PATH)
        response.delete_cookie(SESSION_COOKIE, path=PREFIX)
        return response


def _open_session(console: Console, fields: dict[str, str], client: str | None) -> str:
    """A new session's cookie for the form's email and password (and org, when named)."""
    with console.services.database.session() as session:
        org_id = None
        if fields.get("org"):
            found = store.get_org(session, fields["org"])
            org_id = found.id if found is not None else -1  # no such org: nobody matches
        return open_console_session(
            session,
            console.services.settings,
            fields.get("email", ""),
            fields.get("password", ""),
            address=client,
            org_id=org_id,
            counters=console.services.counters,
        )


FORGED_FORM = (
    "this sign-in form expired; it has been renewed, so sign in again (cookies must be on)"
)


def _form(
    console: Console,
    request: Request,
    next: str,
    org: str,
    message: str | None = None,
    status: int = 200,
    email: str = "",
) -> Response:
    csrf = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(32)
    context = {"next": local_path(next), "org": org, "message": message, "email": email}
    response = console.render(request, "sign_in.html", {**context, "form_token": csrf}, status)
    response.set_cookie(
        FORM_COOKIE,
        csrf,
        httponly=True,
        samesite="lax",
        secure=console.secure(request),
        path=PREFIX,
    )
    for name, value in HEADERS.items():
        response.headers[name] = value
    return response
