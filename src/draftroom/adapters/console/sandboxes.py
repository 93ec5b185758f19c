"""``/console/sandboxes``: the list, and each sandbox's page with its buttons.

A sandbox's page is ``/console/sandboxes/{repo}/{branch}`` (branches hold slashes). Its
buttons post to the same address with ``?do=archive|restore|token``; archive and restore
redirect back with a fixed notice, a new reuse token is shown once on the answer itself
(never in a URL; every console answer is ``no-store``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.responses import Response

from draftroom.adapters.console.web import PREFIX, Console, redirect
from draftroom.domain.calls import Principal
from draftroom.domain.console import IDLE, STATES, list_query, sandbox_list, sandbox_page
from draftroom.errors import InvalidInput

NOTICES = ("archived", "restored")
"""The fixed notices a sandbox's page shows after a button (``?done=``)."""
ACTIONS = {
    "archive": "sandbox.archive",
    "restore": "sandbox.restore",
    "token": "admin.tokens.issue",
}


def sandbox_path(repo_name: str, branch: str) -> str:
    return f"{PREFIX}/sandboxes/{quote(repo_name, safe='')}/{quote(branch, safe='/')}"


def _notice(request: Request) -> str | None:
    params = request.query_params
    if any(name != "done" for name, _ in params.multi_items()):
        raise InvalidInput("a sandbox's page takes only the parameter 'done'")
    done = params.get("done")
    if done is not None and done not in NOTICES:
        raise InvalidInput(f"done must be one of {', '.join(NOTICES)}")
    return done


def add_routes(router: APIRouter, console: Console) -> None:
    console.env.globals["sandbox_path"] = sandbox_path

    @router.get(PREFIX + "/sandboxes")
    async def sandboxes(request: Request) -> Response:
        def build(session: Session, principal: Principal) -> tuple[str, dict[str, Any]]:
            query = list_query(dict(request.query_params))
            found = sandbox_list(console.services, session, principal, query)
            return "sandboxes.html", {"found": found, "states": STATES, "idle": list(IDLE)}

        return await console.page(request, "sandboxes", "sandbox", build)

    @router.get(PREFIX + "/sandboxes/{repo}/{branch:path}")
    async def sandbox(request: Request, repo: str, branch: str) -> Response:
        def build(session: Session, principal: Principal) -> tuple[str, dict[str, Any]]:
            done = _notice(request)
            found = sandbox_page(console.services, session, principal, repo, branch)
            return "sandbox.html", {"sandbox": found, "done": done}

        return await console.page(request, "sandbox", "sandbox", build)

    @router.post(PREFIX + "/sandboxes/{repo}/{branch:path}")
    async def steer(request: Request, repo: str, branch: str) -> Response:
        action = request.query_params.get("do", "")
        if action not in ACTIONS or len(request.query_params.multi_items()) != 1:
            names = ", ".join(ACTIONS)
            return console.error(request, InvalidInput(f"do must be one of {names}"))

        def payload(fields: dict[str, str]) -> dict[str, Any]:
            if action == "token":
                return {"repo_name": repo, "branch": branch}
            return {"id": int(fields["id"]) if fields.get("id", "").isdigit() else 0}

        done = await console.act(request, ACTIONS[action], payload)
        if isinstance(done, Response):
            return done
        return await _after(console, request, action, done)


async def _after(console: Console, request: Request, action: str, done: BaseModel) -> Response:
    values = done.model_dump()
    if action == "token":
        principal = await console.admit(request, "sandbox", "sandbox")
        context = {"issued": values, "principal": principal}
        return console.render(request, "sandbox_token.html", context)
    notice = "archived" if action == "archive" else "restored"
    return redirect(f"{sandbox_path(values['repo_name'], values['branch'])}?done={notice}")
