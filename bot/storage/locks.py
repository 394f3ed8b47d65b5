"""One conversation's turns, one at a time, across every server process.

Within a process a ``threading.Lock`` per conversation keeps a burst from one
sender in arrival order. With PostgreSQL, several processes (``serve
--workers``, several containers) may receive messages of the same sender, so
the turn also holds a session-level advisory lock keyed by the conversation,
on a connection of its own (from ``Database.lock_engine``, a pool apart from the
sessions'), until the answer is stored. SQLite serialises
writers itself and is meant for one process; there the in-process lock is all.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from weakref import WeakValueDictionary

from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from bot.storage.db import Database


def advisory_key(channel: str, sender_id: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks (same in every process)."""
    digest = hashlib.blake2b(f"{channel}\x00{sender_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class ConversationLocks:
    """``with locks.hold(channel, sender_id):`` around everything a turn reads and writes."""

    def __init__(self, database: Database | None = None) -> None:
        self.database = database
        self._guard = threading.Lock()
        self._locks: WeakValueDictionary[tuple[str, str], threading.Lock] = WeakValueDictionary()

    def get(self, channel: str, sender_id: str) -> threading.Lock:
        """This process's lock of one conversation."""
        with self._guard:
            lock = self._locks.get((channel, sender_id))
            if lock is None:
                lock = threading.Lock()
                self._locks[(channel, sender_id)] = lock
            return lock

    @contextmanager
    def hold(self, channel: str, sender_id: str) -> Iterator[None]:
        with self.get(channel, sender_id):
            if self.database is None or self.database.dialect != "postgresql":
                yield
                return
            key = advisory_key(channel, sender_id)
            with self.database.lock_engine.connect() as connection:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
                connection.commit()
                try:
                    yield
                finally:
                    try:
                        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                        connection.commit()
                    except SQLAlchemyError:
                        # The connection broke (a server restart, a cut): the server drops
                        # the lock with it, and a failed unlock must not turn a stored
                        # message into a "not stored" 503. Closed, never pooled again.
                        connection.invalidate()


class Lease:
    """A cluster-wide claim on one piece of work, taken without waiting (``try_lease``)."""

    def __init__(self, connection: Connection | None, key: int) -> None:
        self._connection = connection
        self._key = key

    def release(self) -> None:
        if self._connection is None:
            return
        try:
            self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            self._connection.commit()
        finally:
            self._connection.close()
            self._connection = None


def try_lease(database: Database, kind: str, ident: int) -> Lease | None:
    """Claim ``kind``/``ident`` (e.g. a delivery) unless another process holds it; None if so.

    SQLite runs one process, so the claim always succeeds there.
    """
    key = advisory_key(kind, str(ident))
    if database.dialect != "postgresql":
        return Lease(None, key)
    connection = database.lock_engine.connect()
    try:
        got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar()
        connection.commit()
    except Exception:
        connection.close()
        raise
    if not got:
        connection.close()
        return None
    return Lease(connection, key)
