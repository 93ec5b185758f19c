"""The operator's routes: ``GET /metrics`` (Prometheus text, for an admin key) and
``GET /ready`` (200 or 503 naming what failed). ``/health`` says the process answers;
``/ready`` says it can do its work.

No logic here: ``domain.monitoring`` counts and checks; the admission (key, scope, audit of
a refusal) is ``Registry.admit``'s.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from draftroom.domain.access import Bearer
from draftroom.domain.calls import Services
from draftroom.domain.monitoring import check_readiness, exposition
from draftroom.tools import Registry

METRICS_PATH = "/metrics"


def add_ops_routes(app: FastAPI, services: Services, registry: Registry) -> None:
    """``/metrics`` and ``/ready``, left out of the GPT schema."""

    @app.get(METRICS_PATH, include_in_schema=False)
    def metrics(request: Request) -> Response:
        registry.admit(
            services,
            Bearer.from_header(request.headers.get("authorization")),
            name=METRICS_PATH,
            scope="admin",
            request_id=request.state.request_id,
            transport="http",
            client=request.client.host if request.client else None,
        )
        body, content_type = exposition(services)
        return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})

    @app.get("/ready", include_in_schema=False)
    async def ready() -> JSONResponse:
        found = await run_in_threadpool(check_readiness, services)
        status = "ready" if found.ready else "not_ready"
        return JSONResponse(
            {"status": status, "checks": found.checks},
            status_code=200 if found.ready else 503,
            headers={"Cache-Control": "no-store"},
        )
