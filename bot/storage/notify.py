"""Desk events between server instances on one PostgreSQL: NOTIFY out, LISTEN in.

Each instance publishes with ``pg_notify`` (through the app's pool, whose pre-ping
survives a server restart) and listens on a dedicated autocommit connection in a
thread of its own, which reconnects after a restart. A payload carries its
instance's id, so the publishing instance, which delivered the event locally at
once, ignores its own echo. Payloads stay far below NOTIFY's 8000-byte limit:
events are hints (a type, an action, a conversation id), never message text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.storage.db import Database

log = logging.getLogger(__name__)

CHANNEL = "yichuang_desk"
#: NOTIFY refuses payloads of 8000 bytes and more; an event this large is cut to its type.
MAX_PAYLOAD = 7900
#: How often the listener wakes to see whether it should stop.
POLL_SECONDS = 1.0
#: Pause before reconnecting after the server went away (doubled up to the maximum).
RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 10.0


class PostgresRelay:
    """Sends this instance's events to the others and hands theirs to ``deliver``."""

    def __init__(self, database: Database, deliver: Callable[[dict[str, Any]], None]) -> None:
        self.database = database
        self.origin = uuid.uuid4().hex
        self._deliver = deliver
        url = database.engine.url.set(drivername="postgresql")
        self._conninfo = url.render_as_string(hide_password=False)
        # NOTIFY reaches the whole database; deployments in other schemas ignore ours.
        where = f"{url.database}?{sorted(url.query.items())}"
        self.scope = hashlib.blake2b(where.encode(), digest_size=8).hexdigest()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: Set once the listener has run LISTEN (tests wait for it).
        self.listening = threading.Event()

    def send(self, event: dict[str, Any]) -> None:
        """NOTIFY every instance; never raises (an event lost costs a poll's delay)."""
        envelope = {"scope": self.scope, "origin": self.origin, "event": event}
        payload = json.dumps(envelope, ensure_ascii=False)
        if len(payload.encode("utf-8")) > MAX_PAYLOAD:
            envelope["event"] = {"type": event.get("type")}
            payload = json.dumps(envelope)
        try:
            with self.database.engine.connect() as connection:
                connection.execute(
                    text("SELECT pg_notify(:channel, :payload)"),
                    {"channel": CHANNEL, "payload": payload},
                )
                connection.commit()
        except SQLAlchemyError as exc:
            log.warning("desk event not sent to other instances: %s", type(exc).__name__)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._listen, name="desk-listen", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=POLL_SECONDS * 5)
            self._thread = None

    def _listen(self) -> None:
        pause = RETRY_SECONDS
        first = True
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=10) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    pause = RETRY_SECONDS
                    if not first:  # events sent while we were away are lost: desks reload
                        self._deliver({"type": "queue", "action": "resync"})
                    first = False
                    while not self._stop.is_set():
                        for notify in conn.notifies(timeout=POLL_SECONDS):
                            self._received(notify.payload)
            except psycopg.Error as exc:
                self.listening.clear()
                log.warning("desk events: listener lost PostgreSQL (%s)", type(exc).__name__)
                self._stop.wait(pause)
                pause = min(pause * 2, MAX_RETRY_SECONDS)

    def _received(self, payload: str) -> None:
        try:
            message = json.loads(payload)
            scope, origin, event = message["scope"], message["origin"], message["event"]
        except (ValueError, KeyError, TypeError):
            return  # not ours
        if scope == self.scope and origin != self.origin and isinstance(event, dict):
            self._deliver(event)
