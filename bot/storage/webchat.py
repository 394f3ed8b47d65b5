"""Web chat sessions: a sender id and the SHA-256 of its secret, never the secret itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.storage.db import rows_changed
from bot.storage.models import WebchatSession, utcnow


@dataclass(frozen=True)
class StoredSession:
    """What a credential check needs of one session row."""

    sender_id: str
    secret_hash: str
    last_seen_at: datetime


def create(session: Session, *, sender_id: str, secret_hash: str) -> None:
    """Record a new session (the sender id is random, so it never collides in practice)."""
    now = utcnow()
    session.add(
        WebchatSession(
            sender_id=sender_id, secret_hash=secret_hash, created_at=now, last_seen_at=now
        )
    )
    session.flush()


def find(session: Session, *, sender_id: str) -> StoredSession | None:
    """The session of ``sender_id``, or None when it never existed or was purged."""
    row = session.execute(
        select(
            WebchatSession.sender_id, WebchatSession.secret_hash, WebchatSession.last_seen_at
        ).where(WebchatSession.sender_id == sender_id)
    ).first()
    if row is None:
        return None
    return StoredSession(row.sender_id, row.secret_hash, row.last_seen_at)


def touch(session: Session, *, sender_id: str, now: datetime | None = None) -> None:
    """Mark the session used now, so the retention purge keeps it."""
    session.execute(
        update(WebchatSession)
        .where(WebchatSession.sender_id == sender_id)
        .values(last_seen_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


def purge_unused(session: Session, *, cutoff: datetime) -> int:
    """Delete sessions not used since ``cutoff``; how many went."""
    return rows_changed(
        session.execute(
            delete(WebchatSession)
            .where(WebchatSession.last_seen_at < cutoff)
            .execution_options(synchronize_session=False)
        )
    )
