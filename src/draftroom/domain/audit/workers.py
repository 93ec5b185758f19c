"""The audit trail's background work in a server: checkpoints into git and retention every
``audit_checkpoint_minutes``, and delivery to ``audit_sink`` when one is set."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from draftroom.domain.audit.checkpoint import checkpoint
from draftroom.domain.audit.retention import retain
from draftroom.domain.audit.sink import SinkWorker
from draftroom.domain.calls import Services

logger = logging.getLogger("draftroom.audit")
Lifespan = Callable[[object], AbstractAsyncContextManager[None]]


def with_audit_workers(services: Services, inner: Lifespan) -> Lifespan:
    """An app lifespan running ``inner`` with the checkpoints and the sink alongside."""
    settings = services.settings
    minutes = settings.audit_checkpoint_minutes

    @asynccontextmanager
    async def lifespan(app: object) -> AsyncIterator[None]:
        task = asyncio.create_task(_every(services, minutes * 60)) if minutes else None
        sink = SinkWorker(services) if settings.audit_sink else None
        if sink is not None:
            sink.start()
        try:
            async with inner(app):
                yield
        finally:
            if task is not None:
                task.cancel()
            if sink is not None:
                await asyncio.to_thread(sink.stop)

    return lifespan


async def _every(services: Services, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await asyncio.to_thread(checkpoint, services)
            await asyncio.to_thread(retain, services)
        except Exception:  # a failed round must not stop the next one
            logger.exception("audit checkpoint or retention failed")
