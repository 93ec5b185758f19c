"""The webhook routes: ``POST /webhooks/github``, ``/webhooks/gitea``, ``/webhooks/gitlab``.

Adapters only: each hands the raw body and headers to ``domain.webhooks.receive_delivery``
(which verifies, deduplicates and acts) and renders its receipt; errors leave through the
app's one error handler. No API key is involved: the forge proves itself with the
repository's webhook secret. Bodies are capped by ``BodyLimit`` and ``webhook_max_bytes``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from draftroom.domain.calls import Services
from draftroom.domain.webhooks import FORGES, WEBHOOK_PATH, Forge, receive_delivery


def add_webhook_routes(app: FastAPI, services: Services) -> None:
    for forge in FORGES:
        app.add_api_route(
            WEBHOOK_PATH + forge,
            _endpoint(services, forge),
            methods=["POST"],
            include_in_schema=False,
            name=f"webhooks.{forge}",
        )


def _endpoint(
    services: Services, forge: Forge
) -> Callable[[Request], Coroutine[Any, Any, JSONResponse]]:
    async def receive(request: Request) -> JSONResponse:
        body = await request.body()
        headers = dict(request.headers)  # lower-case names
        receipt = await run_in_threadpool(receive_delivery, services, forge, headers, body)
        return JSONResponse(receipt.as_json())

    return receive
