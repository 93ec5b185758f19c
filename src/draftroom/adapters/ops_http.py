"""The operator's routes: ``GET /metrics`` (Prometheus text, for an admin key) and
``GET /ready`` (200 or 503 naming what failed). ``/health`` says the process answers;
``/ready`` says it can do its work.

No logic here: ``domain.monitoring`` counts and checks; the admission (key, scope, audit of
a refusal) is ``Registry.admit``'s.
"""

from __future__ import annotations

import logging
import logging.config
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import typer
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from draftroom.adapters.logs import LogFormat, log_config
from draftroom.domain.access import Bearer
from draftroom.domain.calls import Services
from draftroom.domain.monitoring import (
    check_readiness,
    exposition,
    forget_worker,
    prepare_multiprocess_dir,
    scrape_registry,
)
from draftroom.tools import Registry

METRICS_PATH = "/metrics"
METRICS_DIR = "metrics"
"""Under the data dir: where ``serve``'s workers count (``PROMETHEUS_MULTIPROC_DIR``)."""
logger = logging.getLogger("draftroom.serve")


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


def prepare_serving(services: Services) -> dict[str, Any]:
    """``draftroom serve``'s start: logging in ``DRAFTROOM_LOG_FORMAT`` (its config, for
    uvicorn too), and an empty metrics directory named for the workers to come."""
    logs = log_config(services.settings.log_format)
    logging.config.dictConfig(logs)
    prepare_multiprocess_dir(services.settings.data_dir / METRICS_DIR)
    return logs


def announcer(log_format: LogFormat) -> Callable[[str], None]:
    """How ``serve`` tells its operator something: a log line when logs are JSON (so every
    line parses), else plain text on stdout."""
    if log_format == "json":
        return logger.info
    return typer.echo


def serve_metrics(services: Services, host: str, port: int) -> None:
    """``/metrics`` without auth on ``host:port``, from a thread of this (the supervising)
    process: every worker's counts, summed from the metrics directory."""
    from prometheus_client import start_http_server

    start_http_server(port, addr=host, registry=scrape_registry(services))


Lifespan = Callable[[object], AbstractAsyncContextManager[None]]


def with_worker_metrics(inner: Lifespan) -> Lifespan:
    """An app lifespan that drops this worker's live metric files when it exits."""

    @asynccontextmanager
    async def lifespan(app: object) -> AsyncIterator[None]:
        try:
            async with inner(app):
                yield
        finally:
            forget_worker(os.getpid())

    return lifespan
