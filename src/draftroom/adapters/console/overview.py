"""``/console``: the overview (the org's numbers for reviewers and owners, a member's own)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from draftroom.adapters.console.chart import bar_chart
from draftroom.adapters.console.web import PREFIX, Console
from draftroom.domain.calls import Principal
from draftroom.domain.console import HourCache, read_overview


def add_routes(router: APIRouter, console: Console) -> None:
    hours = HourCache()

    @router.get(PREFIX)
    async def overview(request: Request) -> Response:
        def build(session: Session, principal: Principal) -> tuple[str, dict[str, Any]]:
            read = read_overview(session, principal, cache=hours)
            return "overview.html", {"overview": read, "chart": bar_chart(read.hours)}

        return await console.page(request, "overview", "sandbox", build)
