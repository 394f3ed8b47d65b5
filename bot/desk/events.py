"""Live desk updates: a broker per app and the ``GET /desk/events`` Server-Sent Events stream.

Events are hints ("the queue changed", "conversation 7 has a new message"):
the desk reloads what it shows from the JSON API, so an event lost to a full
buffer or a reconnect costs nothing but a moment (the page also polls).
``publish`` is called from worker threads (sync endpoints, the conversation
service) while subscribers wait in the server's event loop, hence
``call_soon_threadsafe``.

Each app has its own ``DeskEvents`` (``app.state.desk_events``). On PostgreSQL it
also relays every event to the other instances on the same database with
LISTEN/NOTIFY (bot.storage.notify), so a handoff on one instance reaches the
desks open on every other at once; on SQLite (one process) the broker is all.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from bot.desk.auth import StaffUser, current_staff

if TYPE_CHECKING:
    from bot.storage.db import Database
    from bot.storage.notify import PostgresRelay

#: A comment line this often keeps proxies from closing an idle stream.
HEARTBEAT_SECONDS = 15.0
#: Streams end after this long and the browser's EventSource reconnects by itself,
#: so no stream outlives a server shutdown by more than this.
MAX_STREAM_SECONDS = 300.0
#: Events buffered per subscriber; beyond that the oldest are dropped (they are hints).
BUFFER = 256


class Subscription:
    """One listener's queue, bound to the event loop it waits in."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=BUFFER)

    def offer(self, event: dict[str, Any]) -> None:
        """Runs in the subscriber's loop."""
        if self.queue.full():
            self.queue.get_nowait()
        self.queue.put_nowait(event)


class EventBroker:
    """Fan-out of desk events to every open stream of this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: set[Subscription] = set()

    def subscribe(self) -> Subscription:
        subscription = Subscription(asyncio.get_running_loop())
        with self._lock:
            self._subscribers.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(subscription)

    def publish(self, event: dict[str, Any]) -> None:
        """Send ``event`` to every subscriber; safe from any thread, never raises."""
        with self._lock:
            subscribers = list(self._subscribers)
        for subscription in subscribers:
            try:
                subscription.loop.call_soon_threadsafe(subscription.offer, dict(event))
            except RuntimeError:  # its loop is closed: the server stopped
                self.unsubscribe(subscription)

    @property
    def listeners(self) -> int:
        with self._lock:
            return len(self._subscribers)


class DeskEvents:
    """One app's desk events: delivered to its own streams at once and, on PostgreSQL,
    to every other instance's through NOTIFY."""

    def __init__(self, database: Database | None = None) -> None:
        self.broker = EventBroker()
        self.relay: PostgresRelay | None = None
        if database is not None and database.dialect == "postgresql":
            from bot.storage.notify import PostgresRelay

            self.relay = PostgresRelay(database, self.broker.publish)

    def publish(self, event: dict[str, Any]) -> None:
        """Tell every open desk about ``event``, e.g. ``{"type": "queue"}``; never raises."""
        self.broker.publish(event)
        if self.relay is not None:
            self.relay.send(event)

    def start(self) -> None:
        if self.relay is not None:
            self.relay.start()

    def stop(self) -> None:
        if self.relay is not None:
            self.relay.stop()


#: Events of code that runs without an app (the terminal chat, unit tests).
default = DeskEvents()
broker = default.broker


def publish(event: dict[str, Any]) -> None:
    """Publish to ``default`` (apps publish to their own ``DeskEvents``)."""
    default.publish(event)


def events_of(request: Request) -> DeskEvents:
    """The app's desk events."""
    found: DeskEvents = getattr(request.app.state, "desk_events", default)
    return found


def sse(event: dict[str, Any]) -> str:
    """One event in the text/event-stream format."""
    return f"event: {event.get('type', 'message')}\ndata: {json.dumps(event)}\n\n"


async def stream(
    source: EventBroker | None = None,
    *,
    heartbeat: float = HEARTBEAT_SECONDS,
    max_seconds: float = MAX_STREAM_SECONDS,
) -> AsyncGenerator[str]:
    """Events as they come, a heartbeat comment when idle, until ``max_seconds``.

    Subscribes before its first line, so a client that has read ": connected"
    receives every later event.
    """
    source = source or broker
    subscription = source.subscribe()
    try:
        yield "retry: 2000\n: connected\n\n"
        ends = time.monotonic() + max_seconds
        while (left := ends - time.monotonic()) > 0:
            try:
                event = await asyncio.wait_for(subscription.queue.get(), min(heartbeat, left))
            except TimeoutError:
                yield ": heartbeat\n\n"
                continue
            yield sse(event)
    finally:
        source.unsubscribe(subscription)


def events_router() -> APIRouter:
    router = APIRouter()

    @router.get("/desk/events")
    async def events(
        request: Request, staff: Annotated[StaffUser, Depends(current_staff)]
    ) -> StreamingResponse:
        return StreamingResponse(
            stream(events_of(request).broker),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    return router
