"""``/console``: the overview."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from draftroom.adapters.console.web import PREFIX, Console
from draftroom.domain.calls import Principal


def add_routes(router: APIRouter, console: Console) -> None:
    @router.get(PREFIX)
    async def overview(request: Request) -> Response:
        def build(session: Session, principal: Principal) -> tuple[str, dict[str, Any]]:
            return "overview.html", {}

        return await console.page(request, "overview", "sandbox", build)
