"""``/console/people``: the org's people and API keys, for its owners (the admin scope).

Each button runs one ``admin.users.*`` / ``admin.keys.*`` tool. A new key is shown once, on
the page the create form answers (``Cache-Control: no-store``): never in a URL, a redirect or
a log line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.responses import Response

from draftroom.adapters.console.web import PREFIX, Console, redirect
from draftroom.domain.calls import Principal
from draftroom.domain.console import people_and_keys

PATH = PREFIX + "/people"
NOTICES = {
    "added": "Person added.",
    "role": "Role changed: it applies from their next call.",
    "removed": "Person removed: their keys stop working at once.",
    "revoked": "Key revoked: it stops working at once.",
}
ROLES = ("owner", "reviewer", "member")


def add_routes(router: APIRouter, console: Console) -> None:
    async def view(request: Request, created: BaseModel | None = None) -> Response:
        done = request.query_params.get("done", "")

        def build(session: Session, principal: Principal) -> tuple[str, dict[str, Any]]:
            context = {
                "view": people_and_keys(session, principal),
                "notice": NOTICES.get(done),
                "created": created,
                "roles": ROLES,
            }
            return "people.html", context

        return await console.page(request, "people", "admin", build)

    @router.get(PATH)
    async def people(request: Request) -> Response:
        return await view(request)

    async def button(request: Request, tool: str, payload: Any, done: str) -> Response:
        answer = await console.act(request, tool, payload)
        return answer if isinstance(answer, Response) else redirect(f"{PATH}?done={done}")

    @router.post(PATH + "/add")
    async def add(request: Request) -> Response:
        return await button(request, "admin.users.add", _new_person, "added")

    @router.post(PATH + "/role")
    async def set_role(request: Request) -> Response:
        return await button(request, "admin.users.set", _only("email", "role"), "role")

    @router.post(PATH + "/remove")
    async def remove(request: Request) -> Response:
        return await button(request, "admin.users.remove", _only("email"), "removed")

    @router.post(PATH + "/keys/revoke")
    async def revoke(request: Request) -> Response:
        return await button(request, "admin.keys.revoke", _only("id"), "revoked")

    @router.post(PATH + "/keys")
    async def create_key(request: Request) -> Response:
        answer = await console.act(request, "admin.keys.create", _new_key)
        if isinstance(answer, Response):
            return answer
        return await view(request, created=answer)


def _only(*names: str) -> Callable[[dict[str, str]], dict[str, Any]]:
    """A tool's input: these form fields as given (the tool validates them)."""
    return lambda fields: {name: fields.get(name, "") for name in names}


def _new_person(fields: dict[str, str]) -> dict[str, Any]:
    optional = {name: fields.get(name) or None for name in ("name", "password")}
    return {"email": fields.get("email", ""), "role": fields.get("role", ""), **optional}


def _new_key(fields: dict[str, str]) -> dict[str, Any]:
    """An empty choice is the tool's default (a service key; the default role)."""
    return {name: fields.get(name) or None for name in ("user", "role", "label")}
