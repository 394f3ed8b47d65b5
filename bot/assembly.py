"""Building the assistant's parts from settings: shared by the HTTP app and the terminal chat."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.migrate import upgrade
from dialogs.court import CourtGateway
from dialogs.engine import DialogEngine
from dialogs.hours import BusinessHours
from dialogs.kb import KnowledgeBase, load_knowledge

if TYPE_CHECKING:
    from bot.conversation import ConversationService
    from bot.court.client import CourtObserver
    from nlu.pipeline import NluPipeline


class NluHolder:
    """Loads the NLU pipeline once (training it first if needed), thread-safely."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._pipeline: NluPipeline | None = None

    def get(self) -> NluPipeline:
        if self._pipeline is None:
            with self._lock:
                if self._pipeline is None:
                    from bot.nlu_model import load_pipeline

                    self._pipeline = load_pipeline(self._settings)
        return self._pipeline


def open_database(settings: Settings) -> Database:
    """The conversation store, migrated to the current schema."""
    upgrade(settings.database_url)
    return Database(settings.database_url)


def http_court(
    settings: Settings, base_url: str | None = None, *, observer: CourtObserver | None = None
) -> CourtGateway:
    """The court API client; ``observer`` (the app's metrics) sees its latency and errors."""
    from bot.court.client import HttpCourtGateway

    url = base_url or settings.court_api_url
    if url is None:
        raise ValueError("court API URL is not set")
    return HttpCourtGateway(
        url, settings.court_api_key, observer=observer, max_in_flight=settings.court_max_in_flight
    )


def build_conversations(
    settings: Settings,
    court: CourtGateway,
    *,
    database: Database | None = None,
    nlu: NluHolder | None = None,
    kb: KnowledgeBase | None = None,
) -> ConversationService:
    from bot.attempt_limits import Counters, StoredProofAttempts
    from bot.conversation import ConversationService

    kb = kb or load_knowledge(settings.court_config_dir(), settings.public_base_url)
    database = database or open_database(settings)
    # Wrong proofs are counted in the store, so every process and channel counts together.
    attempts = StoredProofAttempts(Counters(database, settings.attempt_key))
    engine = DialogEngine(kb, court, BusinessHours.parse(settings.business_hours), attempts)
    return ConversationService(database, (nlu or NluHolder(settings)).get, engine)


@contextmanager
def court_for_terminal(settings: Settings) -> Iterator[CourtGateway]:
    """The configured court API, or the built-in simulator on a loopback port with its own key."""
    if settings.court_api_url:
        yield http_court(settings)
        return
    from bot.court.builtin import BuiltinSimulator
    from bot.court.client import HttpCourtGateway

    with BuiltinSimulator(settings).running() as simulator:
        yield HttpCourtGateway(simulator.url, simulator.api_key)
