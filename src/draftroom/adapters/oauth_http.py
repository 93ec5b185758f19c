"""The OAuth routes: discovery documents, registration, the sign-in pages, token, revoke.

No logic here: ``domain.signin`` decides, this module reads requests and renders answers.
The sign-in forms are CSRF-protected with a double-submit cookie: the form's ``csrf_token``
must equal the ``draftroom_csrf`` cookie this module set (SameSite=Lax, HttpOnly).
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, RedirectResponse, Response

from draftroom.adapters.oauth_pages import HEADERS, consent_page, error_page, sign_in_page
from draftroom.domain.calls import Services
from draftroom.domain.signin import (
    AUTHORIZE_PATH,
    CALLBACK_PATH,
    CARRIED,
    REGISTER_PATH,
    RESOURCE_METADATA_PATH,
    REVOKE_PATH,
    SERVER_METADATA_PATH,
    START_PATH,
    TOKEN_PATH,
    Answer,
    Params,
    Prompt,
    begin,
    decide,
    github_enabled,
    github_finish,
    github_start,
    register,
    resource_metadata,
    revoke,
    server_metadata,
    sign_in,
    token,
)
from draftroom.errors import DraftroomError

CSRF_COOKIE = "draftroom_csrf"
GITHUB_COOKIE = "draftroom_github"
COOKIE_PATH = "/oauth"
FORGED = (
    "this form expired or was not sent from the sign-in page; go back to the app and start "
    "again (cookies must be on)"
)
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def add_oauth_routes(app: FastAPI, services: Services) -> None:
    settings = services.settings

    @app.get(SERVER_METADATA_PATH, include_in_schema=False)
    def authorization_server() -> dict[str, Any]:
        return server_metadata(settings)

    @app.get(RESOURCE_METADATA_PATH, include_in_schema=False)
    def protected_resource() -> dict[str, Any]:
        return resource_metadata(settings)

    @app.get(RESOURCE_METADATA_PATH + "/mcp", include_in_schema=False)
    def protected_mcp() -> dict[str, Any]:
        return resource_metadata(settings, "/mcp")

    @app.post(REGISTER_PATH, include_in_schema=False)
    async def register_client(request: Request) -> Response:
        try:
            metadata = json.loads(await request.body())
        except ValueError:
            metadata = None
        return _json(await run_in_threadpool(register, services, metadata))

    @app.post(TOKEN_PATH, include_in_schema=False)
    async def token_endpoint(request: Request) -> Response:
        params = await _form(request)
        auth = request.headers.get("authorization")
        return _json(await run_in_threadpool(token, services, params, auth))

    @app.post(REVOKE_PATH, include_in_schema=False)
    async def revoke_endpoint(request: Request) -> Response:
        params = await _form(request)
        auth = request.headers.get("authorization")
        return _json(await run_in_threadpool(revoke, services, params, auth))

    _add_sign_in_pages(app, services)


def _add_sign_in_pages(app: FastAPI, services: Services) -> None:
    """``GET /oauth/authorize``: the sign-in form; ``POST``: a password or a consent."""
    settings = services.settings

    @app.get(AUTHORIZE_PATH, include_in_schema=False)
    async def authorize_form(request: Request) -> Response:
        csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        params = list(request.query_params.multi_items())
        try:
            found = await run_in_threadpool(begin, services, params)
        except DraftroomError as exc:
            return error_page(exc.message, exc.status)
        github = github_enabled(settings)
        response = (
            _answer(found)
            if isinstance(found, Answer)
            else sign_in_page(found, csrf, github=github)
        )
        secure = settings.public_url.startswith("https:")
        response.set_cookie(
            CSRF_COOKIE, csrf, httponly=True, samesite="lax", secure=secure, path=COOKIE_PATH
        )
        return response

    @app.post(AUTHORIZE_PATH, include_in_schema=False)
    async def authorize(request: Request) -> Response:
        form = await request.form()
        fields = {name: value for name, value in form.multi_items() if isinstance(value, str)}
        csrf = request.cookies.get(CSRF_COOKIE, "")
        if not _same(csrf, fields.get("csrf_token", "")):
            return error_page(FORGED, 403)
        params = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
        return await run_in_threadpool(_authorize, services, params, fields, csrf, request)

    _add_github(app, services)


def _same(expected: str, given: str) -> bool:
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


def _add_github(app: FastAPI, services: Services) -> None:
    """Sign in with GitHub: off to GitHub with the request in a cookie, and back."""
    secure = services.settings.public_url.startswith("https:")

    @app.post(START_PATH, include_in_schema=False)
    async def github(request: Request) -> Response:
        form = await request.form()
        params = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
        if not _same(request.cookies.get(CSRF_COOKIE, ""), dict(params).get("csrf_token", "")):
            return error_page(FORGED, 403)
        kept = [(k, v) for k, v in params if k in CARRIED]
        try:
            found = await run_in_threadpool(github_start, services, kept)
        except DraftroomError as exc:
            return error_page(exc.message, exc.status)
        if isinstance(found, Answer):
            return _answer(found)
        url, state = found
        response = RedirectResponse(url, status_code=302, headers=HEADERS)
        pending = f"{state}.{base64.urlsafe_b64encode(urlencode(kept).encode()).decode()}"
        response.set_cookie(
            GITHUB_COOKIE, pending, httponly=True, samesite="lax", secure=secure, path=COOKIE_PATH
        )
        return response

    @app.get(CALLBACK_PATH, include_in_schema=False)
    async def github_callback(request: Request, code: str = "", state: str = "") -> Response:
        kept_state, _, query = request.cookies.get(GITHUB_COOKIE, "").partition(".")
        if not code or not _same(kept_state, state):
            return error_page(FORGED, 403)
        try:
            params = parse_qsl(base64.urlsafe_b64decode(query).decode())
        except ValueError:
            return error_page(FORGED, 403)
        try:
            found = await run_in_threadpool(github_finish, services, params, code)
        except DraftroomError as exc:
            return error_page(exc.message, exc.status)
        csrf = request.cookies.get(CSRF_COOKIE, "")
        response = _answer(found) if isinstance(found, Answer) else consent_page(found, csrf)
        response.delete_cookie(GITHUB_COOKIE, path=COOKIE_PATH)
        return response


def _authorize(
    services: Services, params: Params, fields: dict[str, str], csrf: str, request: Request
) -> Response:
    """The POSTed step: a consent decision (``ticket``), else a password."""
    client = request.client.host if request.client else None
    try:
        if "ticket" in fields:
            allowed = fields.get("decision") == "allow"
            return _answer(decide(services, params, fields["ticket"], allowed))
        email, password = fields.get("email", ""), fields.get("password", "")
        found = sign_in(services, params, email, password, client)
    except DraftroomError as exc:
        if exc.status in (401, 409, 429):  # wrong password, ambiguous, locked out: try again
            prompt = begin(services, params)
            if isinstance(prompt, Prompt):
                shown = Prompt(prompt.client_name, prompt.params, email=fields.get("email"))
                github = github_enabled(services.settings)
                return sign_in_page(shown, csrf, exc.message, exc.status, github=github)
        return error_page(exc.message, exc.status)
    if isinstance(found, Answer):
        return _answer(found)
    return consent_page(found, csrf)


async def _form(request: Request) -> Params:
    form = await request.form()
    return [(name, value) for name, value in form.multi_items() if isinstance(value, str)]


def _answer(answer: Answer) -> Response:
    """A redirect Authlib built (to a validated redirect_uri), or a JSON answer."""
    if answer.location is not None:
        return RedirectResponse(answer.location, status_code=302, headers=HEADERS)
    return _json(answer)


def _json(answer: Answer) -> Response:
    headers = {name: value for name, value in answer.headers if name != "Content-Type"}
    body = answer.body if answer.body != "" else {}
    return JSONResponse(body, status_code=answer.status, headers={**headers, **_NO_STORE})
