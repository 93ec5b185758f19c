"""Maintenance inside the server: every ``maintenance_hours`` (0: never), on whichever node
finds it due first; the lease keeps the others out, the shared ``finished_at`` tells them
it was done."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from draftroom.domain.calls import Services
from draftroom.domain.maintenance.run import maintenance_due, run_scheduled
from draftroom.store import utc_now

POLL_SECONDS = 60.0
logger = logging.getLogger("draftroom.maintenance")
Lifespan = Callable[[object], AbstractAsyncContextManager[None]]


def with_maintenance_schedule(services: Services, inner: Lifespan) -> Lifespan:
    """An app lifespan running ``inner`` with the maintenance schedule alongside."""
    hours = services.settings.maintenance_hours

    @asynccontextmanager
    async def lifespan(app: object) -> AsyncIterator[None]:
        task = (
            asyncio.create_task(_every(services, min(hours * 3600, POLL_SECONDS)))
            if hours
            else None
        )
        try:
            async with inner(app):
                yield
        finally:
            if task is not None:
                task.cancel()

    return lifespan


async def _every(services: Services, poll: float) -> None:
    since = utc_now()
    while True:
        await asyncio.sleep(poll)
        try:
            if await asyncio.to_thread(maintenance_due, services, since, utc_now()):
                await asyncio.to_thread(run_scheduled, services)
        except Exception:  # a failed round must not stop the next one
            logger.exception("scheduled maintenance failed")
