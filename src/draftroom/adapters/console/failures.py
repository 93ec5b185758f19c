"""``/console/failures``: the org's failed calls (filter by tool and code, 50 a page) and the
alert webhook's state, with a button that sends it a test alert (``admin.alerts.test``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from draftroom.adapters.console.audit import query_string
from draftroom.adapters.console.web import PREFIX, Console, redirect
from draftroom.domain.calls import Principal
from draftroom.domain.console import failures_view

PATH = PREFIX + "/failures"
NOTICES = {
    "alert-queued": "Test alert queued: it is delivered in the background, with retries.",
    "no-webhook": "No alert webhook is configured (DRAFTROOM_ALERT_WEBHOOK_URL): nothing was sent.",
}


def add_routes(router: APIRouter, console: Console) -> None:
    console.env.globals["query_string"] = query_string

    @router.get(PATH)
    async def failures(request: Request) -> Response:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "done"]
        notice = NOTICES.get(request.query_params.get("done", ""))

        def build(session: Session, principal: Principal) -> tuple[str, dict[str, Any]]:
            view = failures_view(session, console.services, principal, params)
            return "failures.html", {"view": view, "notice": notice}

        return await console.page(request, "failures", "admin", build)

    @router.post(PATH + "/test-alert")
    async def test_alert(request: Request) -> Response:
        answer = await console.act(request, "admin.alerts.test", lambda fields: {})
        if isinstance(answer, Response):
            return answer
        done = "alert-queued" if getattr(answer, "queued", False) else "no-webhook"
        return redirect(f"{PATH}?done={done}")
