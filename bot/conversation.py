"""One message's way through the assistant (ARCHITECTURE.md "One message's way").

persist inbound → per-conversation lock → NLU (or a button payload) → dialogs →
replies persisted → returned to the channel. Everything a later turn needs is in
the database, so a restart between two messages loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.desk.events import DeskEvents, default
from bot.desk.service import callback_ack, maybe_record_callback, rating_in, record_rating
from bot.storage import repo, turns
from bot.storage.db import Database
from bot.storage.locks import ConversationLocks
from bot.storage.models import Conversation, Message, utcnow
from dialogs.engine import DialogEngine
from dialogs.payload import parse_payload
from dialogs.replies import Reply
from dialogs.state import DialogState
from nlu.pipeline import COURT_TZ, NluPipeline

if TYPE_CHECKING:
    from bot.metrics import Metrics

log = logging.getLogger(__name__)

#: What a proof answer is stored as: the feature needs it once, never again.
REDACTED = "［验证信息已隐去］"
#: The answer to a message no turn could answer, however often it was retried.
GAVE_UP = "抱歉，系统暂时无法处理您的这条消息，已为您转接人工服务，请稍候。"
#: Conversation statuses in which a person, not the bot, answers.
HUMAN_STATUSES = frozenset({"handoff", "human"})
#: What a litigant reads when their message is stored but its answer could not be
#: (the store failed after the message was saved): the answer follows.
RECEIVED = "您的消息已收到，系统正在处理，答复稍后会显示在这里。"
#: Earlier unanswered messages older than this are not answered before a new one
#: (the recovery pass leaves them too: bot.recovery.MAX_AGE).
OWED_MAX_AGE = timedelta(days=2)


class AnswerDelayed(Exception):
    """The message is stored (so it is owed, and will be answered), but its answer is not.

    Not a store error on purpose: a 503 tells the client "not stored, send again".
    """

    def __init__(self, message_id: int) -> None:
        super().__init__(f"message {message_id} stored; its answer is delayed")
        self.message_id = message_id


class ConversationService:
    def __init__(
        self,
        database: Database,
        nlu: Callable[[], NluPipeline],
        engine: DialogEngine,
        clock: Callable[[], datetime] | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.database = database
        self.nlu = nlu
        self.engine = engine
        self.clock = clock or (lambda: datetime.now(COURT_TZ))
        #: The app's metrics; None (the terminal chat, unit tests) records nothing.
        self.metrics = metrics
        self.locks = ConversationLocks(database)
        #: Where handoffs and new messages are announced to the desk (the app's own).
        self.events: DeskEvents = default

    def understand(self, text: str, now: datetime) -> dict[str, Any]:
        """A button payload acts as the button; anything else goes to the NLU."""
        return parse_payload(text, self.engine.known_intents) or self.nlu().parse(text, now=now)

    def handle(
        self, *, channel: str, sender_id: str, text: str, external_id: str | None = None
    ) -> list[Reply]:
        """Answer one message; [] when a person owns the chat or it was answered before.

        A redelivery of a message whose first turn failed after it was stored
        (a crash, a database hiccup) runs the turn now: stored means owed.
        """
        now = self.clock()
        with self.locks.hold(channel, sender_id):
            parse = self.understand(text, now)
            # Session 1: record the message (dedupe) and read the state. Short, so a slow
            # court API never holds the database's write lock for other conversations.
            with self.database.session() as session:
                inbound = turns.record_inbound(
                    session,
                    channel=channel,
                    sender_id=sender_id,
                    text=text,
                    parse=parse,
                    external_id=external_id,
                )
                if inbound.answered:
                    return []  # a redelivery: the first delivery was answered
                earlier = turns.owed_before(
                    session,
                    conversation_id=inbound.conversation_id,
                    message_id=inbound.message_id,
                    newer_than=utcnow() - OWED_MAX_AGE,
                )
                opened = None if earlier else self._open_turn(session, inbound, parse)
            fresh = inbound.fresh  # a redelivery was counted when first stored
            if fresh and self.metrics is not None:
                self.metrics.message(channel, parse)
            # Stored: from here on a store failure must not read as "not stored" (503).
            try:
                if opened is not None:
                    return self._finish_turn(opened, parse, now, source=(channel, sender_id))
                # Older messages whose turns failed are answered first, in order.
                replies: list[Reply] = []
                for message_id in earlier:
                    replies += self._answer_earlier(message_id)
                return replies + (self._answer_owed(inbound.message_id, parse, now) or [])
            except SQLAlchemyError as exc:
                log.warning(
                    "message %s stored, its answer left to the recovery pass: %s",
                    inbound.message_id,
                    type(exc).__name__,
                )
                raise AnswerDelayed(inbound.message_id) from exc

    def recover(self, message_id: int) -> bool:
        """Answer a stored message whose turn never finished; False when nothing was owed.

        The recovery pass calls this for messages left unanswered by a crash. The
        turn runs on the text as the litigant wrote it (kept until answered) and
        the clock of the moment it arrived, so "明天" means what it meant then.
        """
        with self.database.session(readonly=True) as session:
            owner = _owner(session, message_id)
            if owner is None:
                return False
            channel, sender_id = owner
        with self.locks.hold(channel, sender_id):
            return self._answer_owed(message_id) is not None

    def _answer_earlier(self, message_id: int) -> list[Reply]:
        """An older owed message's answer, ahead of the new one's. A turn that fails for a
        reason of its own (not the store) must not block the conversation: it stays owed,
        and the recovery pass retries it and, after three failures, hands it to a person."""
        try:
            return self._answer_owed(message_id) or []
        except SQLAlchemyError:
            raise
        except Exception:
            log.exception("owed message %s still cannot be answered; left to recovery", message_id)
            return []

    def _answer_owed(
        self,
        message_id: int,
        parse: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> list[Reply] | None:
        """Under the conversation's lock: the turn of a stored message; None if not owed.

        ``parse`` and ``now`` are the new message's own; an older one is read again.
        """
        with self.database.session() as session:
            inbound = session.get(Message, message_id)
            if inbound is None or inbound.answered_at is not None:
                return None  # answered meanwhile (a redelivery got there first)
            conversation = session.get(Conversation, inbound.conversation_id)
            if conversation is None:
                return None
            if parse is None or now is None:
                text = inbound.pending_text if inbound.pending_text is not None else inbound.text
                now = inbound.created_at.astimezone(COURT_TZ)
                parse = self.understand(text or "", now)
            owed = turns.Inbound(
                conversation.id, inbound.id, conversation.status, conversation.state
            )
            opened = self._open_turn(session, owed, parse)
            source = (conversation.channel, conversation.sender_id)
        return self._finish_turn(opened, parse, now, source=source)

    def give_up(self, message_id: int) -> bool:
        """A message whose turn keeps failing goes to a person, with an apology; never dropped."""
        with self.database.session(readonly=True) as session:
            owner = _owner(session, message_id)
            if owner is None:
                return False
            channel, sender_id = owner
        with self.locks.hold(channel, sender_id), self.database.session() as session:
            inbound = session.get(Message, message_id)
            conversation = (
                None if inbound is None else session.get(Conversation, inbound.conversation_id)
            )
            if inbound is None or conversation is None or inbound.answered_at is not None:
                return False
            handed = conversation.status not in HUMAN_STATUSES
            if handed:
                repo.set_status(
                    session,
                    conversation=conversation,
                    status="handoff",
                    reason="system_error",
                    detail={"summary": {"message": inbound.text or ""}},
                )
            _store_answer(session, conversation.id, inbound.id, [Reply(GAVE_UP)] if handed else [])
            conversation_id = conversation.id
        log.error(
            "message %s could not be answered; conversation %s sent to the desk",
            message_id,
            conversation_id,
        )
        if handed and self.metrics is not None:
            self.metrics.handoff("system_error")
        self.events.publish(
            {"type": "queue", "conversation_id": conversation_id, "action": "handoff"}
        )
        return True

    def handle_fixed(
        self,
        *,
        channel: str,
        sender_id: str,
        text: str,
        answer: str,
        external_id: str | None = None,
    ) -> list[Reply]:
        """Store a message the assistant cannot read (a photo, a voice note) and its fixed answer.

        Stored like any message, so a redelivery is recognised and the answer is
        delivered once; a chat a person owns gets no bot line.
        """
        with self.locks.hold(channel, sender_id), self.database.session() as session:
            inbound = turns.record_inbound(
                session,
                channel=channel,
                sender_id=sender_id,
                text=text,
                parse=None,
                external_id=external_id,
            )
            if not inbound.fresh:
                return []
            held = inbound.status in HUMAN_STATUSES
            replies = [] if held else [Reply(answer)]
            _store_answer(session, inbound.conversation_id, inbound.message_id, replies)
            conversation_id = inbound.conversation_id
        if self.metrics is not None:
            self.metrics.message(channel, None)
        if held:
            self.events.publish({"type": "message", "conversation_id": conversation_id})
        return replies

    def _open_turn(
        self, session: Session, inbound: turns.Inbound, parse: dict[str, Any]
    ) -> _OpenTurn:
        """Inside session 1: a held chat is answered here (staff own it); else the state to run."""
        opened = _OpenTurn(inbound.conversation_id, inbound.message_id)
        if inbound.status not in HUMAN_STATUSES:
            opened.state = DialogState.from_dict(inbound.state)
            return opened
        # Staff answer this chat; the bot only confirms a call-back number.
        conversation = session.get(Conversation, inbound.conversation_id)
        kept = (
            None
            if conversation is None
            else maybe_record_callback(session, conversation=conversation, parse=parse)
        )
        if kept is not None:
            opened.notes.append(Reply(callback_ack(kept)))
        _store_answer(session, inbound.conversation_id, inbound.message_id, opened.notes)
        return opened

    def _finish_turn(
        self, opened: _OpenTurn, parse: dict[str, Any], now: datetime, *, source: tuple[str, str]
    ) -> list[Reply]:
        """Run the dialogs and store the answer, the new state and any handoff (session 2).

        ``source`` (channel, sender id) is who the wrong-proof limits count (hashed there).
        """
        conversation_id, state = opened.conversation_id, opened.state
        if state is None:
            self.events.publish({"type": "message", "conversation_id": conversation_id})
            return opened.notes
        turn = self.engine.turn(
            state,
            parse,
            now,
            sender="\x1f".join(source),
            reparse=lambda text: self.nlu().parse(text, now=now),
        )
        inbound_id = opened.inbound_id
        with self.database.session() as session:
            status = turns.answerable(
                session, conversation_id=conversation_id, message_id=inbound_id
            )
            if status is None:  # purged or answered in between: nothing to answer into
                return []
            if status in HUMAN_STATUSES:  # claimed by staff meanwhile
                turns.mark_answered(session, message_id=inbound_id)
                return []
            if turn.forget:
                # "删除我的记录", confirmed: the transcript goes before the answer is
                # stored, so only that answer (and this message as an empty stub,
                # for redelivery dedupe and push delivery) is left.
                repo.forget_conversation(
                    session, conversation_id=conversation_id, keep_message_id=inbound_id
                )
                log.info("conversation %s forgotten at the litigant's request", conversation_id)
            if (score := rating_in(parse)) is not None:
                record_rating(session, conversation_id, score)
            if turn.redact_inbound:
                repo.redact_message(
                    session,
                    message_id=inbound_id,
                    text=REDACTED,
                    parse={"intent": parse["intent"]},
                )
            _store_answer(session, conversation_id, inbound_id, turn.replies, state.to_dict())
            if turn.handoff is not None:
                current = repo.get_conversation(session, conversation_id=conversation_id)
                assert current is not None  # checked at the start of this transaction
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
        if self.metrics is not None:
            if turn.fallback is not None:
                self.metrics.fallback(turn.fallback)
            if turn.handoff is not None:
                self.metrics.handoff(turn.handoff.reason)
        if turn.handoff is not None:
            self.events.publish(
                {"type": "queue", "conversation_id": conversation_id, "action": "handoff"}
            )
        return turn.replies


def _owner(session: Session, message_id: int) -> tuple[str, str] | None:
    """(channel, sender) of an inbound message that still owes an answer; None otherwise."""
    message = session.get(Message, message_id)
    if message is None or message.direction != "in" or message.answered_at is not None:
        return None
    conversation = session.get(Conversation, message.conversation_id)
    return None if conversation is None else (conversation.channel, conversation.sender_id)


@dataclass
class _OpenTurn:
    """Between the two sessions of a turn: what to answer, or what was answered already."""

    conversation_id: int
    inbound_id: int
    state: DialogState | None = None  # None: a person owns the chat
    notes: list[Reply] = field(default_factory=list)


def _store_answer(
    session: Session,
    conversation_id: int,
    inbound_id: int,
    replies: list[Reply],
    state: dict[str, Any] | None = None,
) -> None:
    """The replies to the message, linked to it for delivery, and the message marked answered."""
    turns.store_answer(
        session,
        conversation_id=conversation_id,
        message_id=inbound_id,
        replies=[turns.Outgoing(reply.text, _payload(reply)) for reply in replies],
        state=state,
    )


def _payload(reply: Reply) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if reply.image:
        data["image"] = reply.image
    if reply.buttons:
        data["buttons"] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    return data
