"""``/console/merge-requests``: the queue, each request's page, and its Approve and Reject
buttons (reviewers and owners only: the pages and both tools hold the ``review`` scope).

A button runs ``merge.approve`` or ``merge.reject`` and redirects back to the request's page
with a fixed notice (``?done=approved|rejected``); the page then shows the outcome as stored.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from draftroom.adapters.console.web import PREFIX, Console, redirect
from draftroom.domain.calls import Principal
from draftroom.domain.console import (
    MERGE_REQUEST_STATES,
    merge_request_page,
    merge_request_queue,
    merge_request_queue_query,
)
from draftroom.errors import InvalidInput, NotFound

QUEUE = PREFIX + "/merge-requests"
ACTIONS = {"approve": "merge.approve", "reject": "merge.reject"}
NOTICES = {"approve": "approved", "reject": "rejected"}
"""The fixed notice (``?done=``) each button's redirect carries."""
MAX_ID = 2**31 - 1


def _id(text: str) -> int:
    """A request id from the path; anything else is a request that does not exist."""
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        raise NotFound(f"no merge request {text[:40]!r}")
    return int(text)


def _notice(request: Request) -> str | None:
    params = request.query_params
    if set(params) - {"done"}:
        raise InvalidInput("a merge request's page takes only the parameter 'done'")
    done = params.get("done")
    if done is not None and done not in NOTICES.values():
        raise InvalidInput(f"done must be one of {', '.join(NOTICES.values())}")
    return done


def _payload(merge_request_id: int, action: str, fields: dict[str, str]) -> dict[str, Any]:
    if action == "reject":
        return {"id": merge_request_id, "reason": fields.get("reason", "").strip() or None}
    return {"id": merge_request_id}


def add_routes(router: APIRouter, console: Console) -> None:
    @router.get(QUEUE)
    async def merge_requests(request: Request) -> Response:
        def build(session: Session, principal: Principal) -> tuple[str, dict[str, Any]]:
            query = merge_request_queue_query(dict(request.query_params))
            found = merge_request_queue(session, principal, query)
            return "merge_requests.html", {
                "queue": found,
                "query": query,
                "states": MERGE_REQUEST_STATES,
            }

        return await console.page(request, "merge_requests", "review", build)

    @router.get(QUEUE + "/{merge_request_id}")
    async def merge_request(request: Request, merge_request_id: str) -> Response:
        def build(session: Session, principal: Principal) -> tuple[str, dict[str, Any]]:
            done = _notice(request)
            found = merge_request_page(session, principal, console.services, _id(merge_request_id))
            return "merge_request.html", {"page": found, "done": done}

        return await console.page(request, "merge_request", "review", build)

    @router.post(QUEUE + "/{merge_request_id}/{action}")
    async def decide(request: Request, merge_request_id: str, action: str) -> Response:
        if action not in ACTIONS:
            return console.error(request, NotFound(f"no action {action[:40]!r} here"))
        try:
            found = _id(merge_request_id)
        except NotFound as exc:
            return console.error(request, exc)
        done = await console.act(request, ACTIONS[action], lambda f: _payload(found, action, f))
        if isinstance(done, Response):
            return done
        return redirect(f"{QUEUE}/{found}?done={NOTICES[action]}")
