"""The web console at ``/console``: server-rendered pages to see and steer every sandbox.

Jinja2 templates, plain forms (every action works without JavaScript), one stylesheet served
from here (nothing from a CDN). Each page module adds its routes; ``web`` holds what they
share. See ``docs/console.md``.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from starlette.staticfiles import StaticFiles

from draftroom.adapters.console import audit, failures, overview, people, sandboxes, signin
from draftroom.adapters.console.web import PREFIX, STATIC, Console
from draftroom.domain.calls import Services
from draftroom.tools import Registry

PAGES = (signin, overview, sandboxes, people, failures, audit)


def add_console(app: FastAPI, services: Services, registry: Registry) -> None:
    console = Console(services, registry)
    router = APIRouter(include_in_schema=False)
    for page in PAGES:
        page.add_routes(router, console)
    app.include_router(router)
    app.mount(PREFIX + "/static", StaticFiles(directory=STATIC), name="console-static")
