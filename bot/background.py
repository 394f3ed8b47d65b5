"""Periodic jobs that run while the app serves (the recovery pass, the retention purge)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import Any

from fastapi import FastAPI

log = logging.getLogger(__name__)


def every(app: FastAPI, name: str, seconds: float, job: Callable[[], Awaitable[Any]]) -> None:
    """Run ``job`` at start-up and then every ``seconds`` until the app stops.

    A failing run is logged and the next one comes on schedule: a database
    outage must not end the job for the rest of the process's life.
    """

    async def loop() -> None:
        while True:
            try:
                await job()
            except Exception:
                log.exception("background job %s failed", name)
            await asyncio.sleep(seconds)

    app.router.lifespan_context = _with_task(app.router.lifespan_context, name, loop)


def _with_task(
    inner: Callable[[Any], AbstractAsyncContextManager[Any]],
    name: str,
    loop: Callable[[], Coroutine[Any, Any, None]],
) -> Callable[[Any], AbstractAsyncContextManager[Any]]:
    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        async with inner(app) as state:
            task = asyncio.create_task(loop(), name=name)
            try:
                yield state
            finally:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task

    return lifespan
