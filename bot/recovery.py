"""The recovery pass: nothing a litigant sent is lost to a crash or an outage.

Two things can be left behind when a process dies (kill -9, a power cut) or a
dependency fails mid-turn:

- a message that was stored but never answered (``answered_at`` is NULL): its
  turn is run again (``ConversationService.recover``); one that keeps failing
  goes to the guide desk with an apology (``give_up``) instead of looping;
- an answer or staff reply stored for WeChat or Telegram but not (fully)
  delivered: its remaining parts are handed to the channel (bot.delivery).

The pass runs when the server starts and then every
``YICHUANG_RECOVERY_INTERVAL_SECONDS``. It leaves alone anything younger than
``YICHUANG_RECOVERY_GRACE_SECONDS``, which its own request is still handling,
and anything older than two days (WeChat's 48-hour window has closed; the
litigant has long since written again).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from bot import delivery
from bot.background import every
from bot.conversation import ConversationService
from bot.settings import Settings
from bot.storage.locks import try_lease
from bot.storage.models import utcnow

log = logging.getLogger(__name__)

#: Older than this, a message or delivery is no longer worth sending.
MAX_AGE = timedelta(days=2)
#: A message whose turn failed this many times in recovery goes to a person.
MAX_ATTEMPTS = 3


@dataclass
class Report:
    """What one pass did."""

    answered: int = 0
    given_up: int = 0
    pushed: int = 0
    failed: int = 0


class Recovery:
    """Finds what is owed and settles it; ``app.state.recovery`` after ``register``."""

    def __init__(self, state: Any, *, grace_seconds: float) -> None:
        self.state = state
        self.grace = timedelta(seconds=grace_seconds)
        self.attempts: Counter[int] = Counter()

    @property
    def service(self) -> ConversationService:
        service: ConversationService = self.state.conversations
        return service

    async def run_once(self) -> Report:
        report = Report()
        now = utcnow()
        window = {"older_than": now - self.grace, "newer_than": now - MAX_AGE}
        for message_id in await run_in_threadpool(self._read, delivery.unanswered, window):
            await self._answer(message_id, report)
        for message_id, channel in await run_in_threadpool(self._read, delivery.owed, window):
            # Another process's pass may be sending it right now: then leave it to that one.
            database = self.service.database
            lease = await run_in_threadpool(try_lease, database, "delivery", message_id)
            if lease is None:
                continue
            try:
                if await delivery.push(self.state, channel=channel, message_id=message_id):
                    report.pushed += 1
            except Exception as exc:  # the platform is still down: the next pass tries again
                report.failed += 1
                log.warning("recovery: delivery %s not sent yet: %s", message_id, exc)
            finally:
                await run_in_threadpool(lease.release)
        if report != Report():
            log.info("recovery pass: %s", report)
        return report

    async def _answer(self, message_id: int, report: Report) -> None:
        try:
            if await run_in_threadpool(self.service.recover, message_id):
                report.answered += 1
                log.info("recovery: answered message %s", message_id)
            self.attempts.pop(message_id, None)
            return
        except Exception:
            self.attempts[message_id] += 1
            log.exception(
                "recovery: message %s still cannot be answered (attempt %s)",
                message_id,
                self.attempts[message_id],
            )
        if self.attempts[message_id] >= MAX_ATTEMPTS:
            with suppress(Exception):
                if await run_in_threadpool(self.service.give_up, message_id):
                    report.given_up += 1
                    self.attempts.pop(message_id, None)
                    return
        report.failed += 1

    def _read(self, query: Callable[..., list[Any]], window: dict[str, Any]) -> list[Any]:
        with self.service.database.session(readonly=True) as session:
            return query(session, **window)


def register(app: FastAPI, settings: Settings) -> Recovery:
    """Run the pass in the background while the app serves (unless the interval is 0).

    Call it after the channels registered, so their senders are up when it starts.
    """
    recovery = Recovery(app.state, grace_seconds=settings.recovery_grace_seconds)
    app.state.recovery = recovery
    if settings.recovery_interval_seconds > 0:
        every(app, "recovery", settings.recovery_interval_seconds, recovery.run_once)
    return recovery
