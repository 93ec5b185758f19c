"""What every console page shares: the session cookie, admission, CSRF, rendering.

No logic here either: a page asks ``Registry.admit`` who the cookie's person is and whether
they hold the page's scope, reads its data through ``domain.console`` in one database
session, and renders a template; a button posts a form whose CSRF token is checked here and
runs one tool through ``Registry.invoke`` (audited like any call, transport ``console``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from draftroom.domain.access import Bearer, Scope, holds
from draftroom.domain.calls import Principal, Services
from draftroom.domain.signin import csrf_matches, csrf_token
from draftroom.errors import DraftroomError, Forbidden, Unauthorized
from draftroom.tools import Registry
from draftroom.tools.validation import RawInput

SESSION_COOKIE = "draftroom_console"
PREFIX = "/console"
SIGN_IN_PATH = PREFIX + "/sign-in"
STATIC = Path(__file__).parent / "static"
TRANSPORT = "console"
FORGED = "this form expired or was not sent from the console; reload the page and try again"
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
}
Build = Callable[[Session, Principal], tuple[str, dict[str, Any]]]
"""A page's read: ``(session, principal) -> (template, context)``."""


class SignInRequired(Exception):
    """No live session: the browser goes to the sign-in form, then back."""


class Console:
    def __init__(self, services: Services, registry: Registry) -> None:
        self.services, self.registry = services, registry
        env = Environment(
            loader=PackageLoader("draftroom.adapters.console", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.globals["holds"] = holds
        self.env = env

    def secure(self, request: Request) -> bool:
        """Whether cookies get ``Secure``: served over https, or behind an https URL."""
        return request.url.scheme == "https" or self.services.settings.public_url.startswith(
            "https:"
        )

    async def admit(self, request: Request, page: str, scope: Scope) -> Principal:
        """The signed-in person, if they hold ``scope``; refusals are audited by ``admit``."""
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise SignInRequired
        try:
            return await run_in_threadpool(
                self.registry.admit,
                self.services,
                Bearer(cookie),
                name=f"console.{page}",
                scope=scope,
                request_id=request.state.request_id,
                transport=TRANSPORT,
                client=request.client.host if request.client else None,
            )
        except Unauthorized:
            raise SignInRequired from None

    async def page(self, request: Request, page: str, scope: Scope, build: Build) -> Response:
        """Admit, read (one session, in the thread pool), render; errors as pages."""
        try:
            principal = await self.admit(request, page, scope)

            def read() -> tuple[str, dict[str, Any]]:
                with self.services.database.session() as session:
                    return build(session, principal)

            template, context = await run_in_threadpool(read)
        except SignInRequired:
            return self.to_sign_in(request)
        except DraftroomError as exc:
            return self.error(request, exc)
        return self.render(request, template, {"principal": principal, **context})

    async def form(self, request: Request) -> dict[str, str]:
        """A posted form's fields, once its CSRF token matches the session's."""
        form = await request.form()
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        if not csrf_matches(request.cookies.get(SESSION_COOKIE, ""), fields.get("csrf_token", "")):
            raise Forbidden(FORGED)
        return fields

    async def invoke(self, request: Request, name: str, payload: Mapping[str, Any]) -> BaseModel:
        """Run tool ``name`` as the signed-in person: the one path every call takes."""
        tool = self.registry.get(name)
        body = json.dumps(payload).encode()
        return await run_in_threadpool(
            self.registry.invoke,
            tool,
            self.services,
            Bearer(request.cookies.get(SESSION_COOKIE) or None),
            RawInput(body),
            request_id=request.state.request_id,
            transport=TRANSPORT,
            client=request.client.host if request.client else None,
        )

    async def act(
        self, request: Request, name: str, payload: Callable[[dict[str, str]], dict[str, Any]]
    ) -> BaseModel | Response:
        """A button: check the form, run ``name`` with ``payload(fields)``; a refusal or an
        expired session comes back as a page (the caller redirects on success)."""
        try:
            fields = await self.form(request)
            return await self.invoke(request, name, payload(fields))
        except Unauthorized:
            return self.to_sign_in(request)
        except DraftroomError as exc:
            return self.error(request, exc)

    def render(
        self, request: Request, template: str, context: dict[str, Any], status: int = 200
    ) -> HTMLResponse:
        cookie = request.cookies.get(SESSION_COOKIE, "")
        html = self.env.get_template(template).render(
            request=request,
            path=request.url.path,
            csrf_token=csrf_token(cookie) if cookie else "",
            **{"principal": None, **context},
        )
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    def error(self, request: Request, exc: DraftroomError) -> HTMLResponse:
        context = {"code": exc.code, "message": exc.message, "status": exc.status}
        return self.render(request, "error.html", context, exc.status)

    def to_sign_in(self, request: Request) -> Response:
        back = request.url.path if request.method == "GET" else PREFIX
        if request.method == "GET" and request.url.query:
            back += "?" + request.url.query
        return RedirectResponse(f"{SIGN_IN_PATH}?next={quote(back)}", 303, headers=HEADERS)


def redirect(location: str) -> RedirectResponse:
    """After a button: back to a page (POST, then GET: a reload never repeats the action)."""
    return RedirectResponse(location, 303, headers=HEADERS)


def local_path(value: str | None) -> str:
    """``value`` if it is a console path (never another site, ``//host``), else the overview."""
    within = value == PREFIX or (value or "").startswith((PREFIX + "/", PREFIX + "?"))
    if value and within and "\\" not in value:
        return value
    return PREFIX
