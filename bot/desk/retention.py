"""Transcripts are kept for a configured period, then deleted.

The server purges by itself every ``YICHUANG_PURGE_INTERVAL_HOURS`` (``register``);
``yichuang desk purge`` does the same by hand or from cron.

``repo.purge_older_than`` deletes old messages and idle conversations; their
ratings and call-backs go with them (ON DELETE CASCADE). Call-back numbers are
full phone numbers, so they are deleted on the same schedule even when the
conversation lives on; ratings of surviving conversations stay for the chart.
Web chat sessions unused for the period go too: their browser starts a new one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from fastapi import FastAPI
from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from bot.background import every
from bot.settings import Settings
from bot.storage import repo, webchat
from bot.storage.db import Database
from bot.storage.models import Callback, Conversation, Rating, utcnow

log = logging.getLogger(__name__)

#: YICHUANG_RETENTION_DAYS when the setting is absent.
DEFAULT_RETENTION_DAYS = 180


@dataclass(frozen=True)
class PurgeResult:
    days: int
    cutoff: datetime
    messages: int
    conversations: int
    ratings: int
    callbacks: int
    webchat_sessions: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "cutoff": self.cutoff.isoformat(),
            "messages": self.messages,
            "conversations": self.conversations,
            "ratings": self.ratings,
            "callbacks": self.callbacks,
            "webchat_sessions": self.webchat_sessions,
        }


def retention_days(settings: Settings) -> int:
    """The configured period (``YICHUANG_RETENTION_DAYS``), 180 days by default."""
    return int(getattr(settings, "retention_days", DEFAULT_RETENTION_DAYS))


def _count(session: Session, model: type[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def purge(session: Session, *, days: int, now: datetime | None = None) -> PurgeResult:
    """Delete what is older than ``days`` days; counts of what went."""
    now = now or utcnow()
    cutoff = now - timedelta(days=days)
    callbacks = int(
        cast(
            CursorResult[Any],
            session.execute(
                delete(Callback)
                .where(Callback.created_at < cutoff)
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
        or 0
    )
    conversations_before = _count(session, Conversation)
    ratings_before = _count(session, Rating)
    callbacks_before = _count(session, Callback)
    messages = repo.purge_older_than(session, days=days, now=now)
    sessions = webchat.purge_unused(session, cutoff=cutoff)
    return PurgeResult(
        days=days,
        cutoff=cutoff,
        messages=messages,
        conversations=conversations_before - _count(session, Conversation),
        ratings=ratings_before - _count(session, Rating),
        callbacks=callbacks + callbacks_before - _count(session, Callback),
        webchat_sessions=sessions,
    )


def register(app: FastAPI, settings: Settings) -> None:
    """Purge at start-up and then every ``purge_interval_hours`` (0: only by hand)."""
    hours = settings.purge_interval_hours
    if hours <= 0:
        return
    database: Database = app.state.db
    days = retention_days(settings)

    def run() -> None:
        with database.session() as session:
            result = purge(session, days=days)
        if result.messages or result.conversations or result.callbacks or result.webchat_sessions:
            log.info("retention purge: %s", result.as_dict())

    async def job() -> None:
        await run_in_threadpool(run)

    every(app, "retention-purge", hours * 3600, job)
