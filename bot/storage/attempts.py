"""Failed-attempt counters in the database, so every worker process counts together.

A limit (``Limit``) allows ``limit`` failures per key in a fixed window; the
failure that reaches it locks the key for ``lock``. Keys are stored as keyed
HMACs (``KeyHasher``), never as the username, address or case number itself.
A failure is one UPSERT that reads and writes the row in a single statement,
so two processes (or threads) failing at once both count, on SQLite and
PostgreSQL alike. Rows past ``expires_at`` mean nothing: ``purge_expired``
deletes them, and a stale row is reset by the next failure in its UPSERT.

The HMAC key is ``YICHUANG_ATTEMPT_KEY`` when set; otherwise a random secret
kept in this table (scope ``_secret``, never expiring), created by whichever
process needs it first. A per-process key would make every process count apart.
(A key in the environment also keeps the hashes useless to someone holding
only a copy of the database.)
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, literal, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.storage.db import rows_changed
from bot.storage.models import AttemptCounter, UtcDateTime

#: The row that holds the per-database HMAC secret (its ``key_hash`` column).
SECRET_SCOPE = "_secret"
_NEVER = datetime(9999, 12, 31, tzinfo=UTC)
#: PostgreSQL advisory lock key that serialises creating the secret.
_SECRET_LOCK = 0x59430004


@dataclass(frozen=True)
class Limit:
    """``limit`` failures within ``window`` lock the key for ``lock``."""

    scope: str
    limit: int
    window: timedelta
    lock: timedelta


@dataclass(frozen=True)
class Failure:
    """A key's count after a failure; ``locked_now`` is true for the failure that locked it."""

    failures: int
    locked_until: datetime | None
    locked_now: bool


class KeyHasher:
    """Keyed HMAC-SHA256 of what is counted, as hex (the ``key_hash`` column)."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __call__(self, *parts: str) -> str:
        message = "\x1f".join(parts).encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


def database_secret(session: Session) -> bytes:
    """This database's HMAC secret, created by the first process that asks (in a write session).

    Creation is serialised (SQLite's write lock; an advisory lock on PostgreSQL), so
    every process reads the same one secret.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SECRET_LOCK})
    query = select(AttemptCounter.key_hash).where(AttemptCounter.scope == SECRET_SCOPE).limit(1)
    existing = session.scalar(query)
    if existing is None:
        existing = secrets.token_hex(32)
        session.add(
            AttemptCounter(
                scope=SECRET_SCOPE,
                key_hash=existing,
                failures=0,
                window_started_at=_NEVER,
                locked_until=None,
                expires_at=_NEVER,
            )
        )
        session.flush()
    return bytes.fromhex(str(existing))


def _insert(session: Session) -> Any:
    name = session.get_bind().dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(AttemptCounter)


def _at(value: datetime) -> Any:
    return literal(value, UtcDateTime())


def record_failure(session: Session, limit: Limit, key_hash: str, now: datetime) -> Failure:
    """Count one failure atomically; a window that has passed starts over at one."""
    table = AttemptCounter
    stale = table.window_started_at <= _at(now - limit.window)
    lock_ended = table.locked_until.is_not(None) & (table.locked_until <= _at(now))
    fresh = stale | lock_ended
    failures = case((fresh, 1), else_=table.failures + 1)
    started = case((fresh, _at(now)), else_=table.window_started_at)
    until = _at(now + limit.lock)
    first_lock = until if limit.limit <= 1 else None
    locked = case(
        (
            failures >= limit.limit,
            case((table.locked_until > _at(now), table.locked_until), else_=until),
        ),
        else_=None,
    )
    expires = case((failures >= limit.limit, until), else_=_at(now + max(limit.window, limit.lock)))
    statement = (
        _insert(session)
        .values(
            scope=limit.scope,
            key_hash=key_hash,
            failures=1,
            window_started_at=now,
            locked_until=first_lock,
            expires_at=now + max(limit.window, limit.lock),
        )
        .on_conflict_do_update(
            index_elements=[table.scope, table.key_hash],
            set_={
                "failures": failures,
                "window_started_at": started,
                "locked_until": locked,
                "expires_at": expires,
            },
        )
        .returning(table.failures, table.locked_until)
    )
    row = session.execute(statement).one()
    count, locked_until = int(row[0]), _aware(row[1])
    return Failure(count, locked_until, count == limit.limit)


def _aware(value: datetime | str | None) -> datetime | None:
    """RETURNING bypasses the column type on some drivers: make the value aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def blocked_for(session: Session, scope: str, key_hash: str, now: datetime) -> int | None:
    """Whole seconds until the key is unlocked, or None when it is not locked."""
    until = session.scalar(
        select(AttemptCounter.locked_until).where(
            AttemptCounter.scope == scope, AttemptCounter.key_hash == key_hash
        )
    )
    if until is None or until <= now:
        return None
    return max(1, math.ceil((until - now).total_seconds()))


def reset(session: Session, scope: str, key_hash: str) -> None:
    """Forget a key's failures (after a success)."""
    session.execute(
        delete(AttemptCounter).where(
            AttemptCounter.scope == scope, AttemptCounter.key_hash == key_hash
        )
    )


def purge_expired(session: Session, now: datetime) -> int:
    """Delete the counters nobody needs any more; how many went."""
    result = session.execute(
        delete(AttemptCounter)
        .where(AttemptCounter.expires_at <= now, AttemptCounter.scope != SECRET_SCOPE)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result)
