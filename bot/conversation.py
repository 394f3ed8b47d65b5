"""One message's way through the assistant (ARCHITECTURE.md "One message's way").

persist inbound → per-conversation lock → NLU (or a button payload) → dialogs →
replies persisted → returned to the channel. Everything a later turn needs is in
the database, so a restart between two messages loses nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any
from weakref import WeakValueDictionary

from bot.desk.events import publish
from bot.desk.service import callback_ack, maybe_record_callback, rating_in, record_rating
from bot.storage import repo
from bot.storage.db import Database
from dialogs.engine import DialogEngine
from dialogs.payload import parse_payload
from dialogs.replies import Reply
from dialogs.state import DialogState
from nlu.pipeline import COURT_TZ, NluPipeline

log = logging.getLogger(__name__)

#: What a proof answer is stored as: the feature needs it once, never again.
REDACTED = "［验证信息已隐去］"
#: Conversation statuses in which a person, not the bot, answers.
HUMAN_STATUSES = frozenset({"handoff", "human"})


class ConversationLocks:
    """One lock per conversation in this process: a burst from one sender is handled in order."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: WeakValueDictionary[tuple[str, str], threading.Lock] = WeakValueDictionary()

    def get(self, channel: str, sender_id: str) -> threading.Lock:
        with self._guard:
            lock = self._locks.get((channel, sender_id))
            if lock is None:
                lock = threading.Lock()
                self._locks[(channel, sender_id)] = lock
            return lock


class ConversationService:
    def __init__(
        self,
        database: Database,
        nlu: Callable[[], NluPipeline],
        engine: DialogEngine,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.database = database
        self.nlu = nlu
        self.engine = engine
        self.clock = clock or (lambda: datetime.now(COURT_TZ))
        self.locks = ConversationLocks()

    def understand(self, text: str, now: datetime) -> dict[str, Any]:
        """A button payload acts as the button; anything else goes to the NLU."""
        return parse_payload(text, self.engine.known_intents) or self.nlu().parse(text, now=now)

    def handle(
        self, *, channel: str, sender_id: str, text: str, external_id: str | None = None
    ) -> list[Reply]:
        """Answer one message; [] when a person owns the chat or it was a redelivery."""
        now = self.clock()
        with self.locks.get(channel, sender_id):
            # Session 1: record the message (dedupe) and read the state. Short, so a slow
            # court API never holds the database's write lock for other conversations.
            parse = self.understand(text, now)
            with self.database.session() as session:
                conversation = repo.get_or_create_conversation(
                    session, channel=channel, sender_id=sender_id
                )
                inbound = repo.add_inbound(
                    session,
                    conversation=conversation,
                    text=text,
                    parse=parse,
                    external_id=external_id,
                )
                if inbound is None:
                    return []  # a redelivery: the first delivery was answered
                conversation_id, inbound_id = conversation.id, inbound.id
                held = conversation.status in HUMAN_STATUSES
                if held:  # staff answer this chat; the bot only confirms a call-back number
                    kept = maybe_record_callback(session, conversation=conversation, parse=parse)
                    notes = [Reply(callback_ack(kept))] if kept is not None else []
                    for note in notes:
                        repo.add_outbound(
                            session, conversation=conversation, text=note.text, payload=None
                        )
                state = DialogState.from_dict(conversation.state)
            if held:
                publish({"type": "message", "conversation_id": conversation_id})
                return notes
            turn = self.engine.turn(state, parse, now)
            # Session 2: the answer, the new state, and a handoff if there is one.
            with self.database.session() as session:
                current = repo.get_conversation(session, conversation_id=conversation_id)
                if current is None:  # purged in between: nothing to answer into
                    return []
                if current.status in HUMAN_STATUSES:  # claimed by staff meanwhile
                    return []
                if (score := rating_in(parse)) is not None:
                    record_rating(session, conversation_id, score)
                if turn.redact_inbound:
                    repo.redact_message(
                        session,
                        message_id=inbound_id,
                        text=REDACTED,
                        parse={"intent": parse["intent"]},
                    )
                for reply in turn.replies:
                    repo.add_outbound(
                        session, conversation=current, text=reply.text, payload=_payload(reply)
                    )
                repo.save_state(session, conversation=current, state=state.to_dict())
                if turn.handoff is not None:
                    repo.set_status(
                        session,
                        conversation=current,
                        status="handoff",
                        reason=turn.handoff.reason,
                        detail=turn.handoff.summary,
                    )
                    log.info(
                        "conversation %s handed to the desk (%s)",
                        conversation_id,
                        turn.handoff.reason,
                    )
            if turn.handoff is not None:
                publish({"type": "queue", "conversation_id": conversation_id, "action": "handoff"})
            return turn.replies


def _payload(reply: Reply) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if reply.image:
        data["image"] = reply.image
    if reply.buttons:
        data["buttons"] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    return data
