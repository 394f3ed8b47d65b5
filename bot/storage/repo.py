"""The store's queries, as keyword-only functions over a Session (EXAMPLES.md pattern 5).

The caller owns the transaction (``Database.session()``); these functions
flush but never commit. Concurrency, briefly:

- PostgreSQL: ``get_or_create_conversation(lock=True)`` takes a row lock
  (SELECT ... FOR UPDATE) held until the caller's transaction ends, so turns of
  one conversation run one after another across processes; two first messages
  racing to create the row are settled by the unique constraint.
- SQLite: write sessions start with BEGIN IMMEDIATE (see ``bot.storage.db``),
  so writers are serialised by the database itself and the lock is a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bot.privacy import mask_pii
from bot.storage.db import rows_changed
from bot.storage.masking import mask_deep, mask_parse
from bot.storage.models import (
    DIRECTIONS,
    MAX_INTEGER,
    STATUSES,
    AuditEvent,
    Callback,
    Conversation,
    Message,
    Rating,
    utcnow,
)
from bot.storage.turns import StoreError, json_state, outbound_row, record_inbound

__all__ = ["StoreError"]  # raised by these functions too


def get_or_create_conversation(
    session: Session, *, channel: str, sender_id: str, lock: bool = True
) -> Conversation:
    """The conversation of ``sender_id`` on ``channel``, created on the first message."""
    if not channel or not sender_id:
        raise StoreError("channel and sender_id must not be empty")
    query = select(Conversation).where(
        Conversation.channel == channel, Conversation.sender_id == sender_id
    )
    if lock:
        query = query.with_for_update()  # rendered on PostgreSQL, ignored by SQLite
    found = session.scalars(query).one_or_none()
    if found is not None:
        return found
    conversation = Conversation(channel=channel, sender_id=sender_id, state={})
    try:
        with session.begin_nested():
            session.add(conversation)
    except IntegrityError:
        # Another transaction created it between our SELECT and INSERT.
        return session.scalars(query).one()
    return conversation


def get_conversation(session: Session, *, conversation_id: int) -> Conversation | None:
    return session.get(Conversation, conversation_id)


def find_conversation(session: Session, *, channel: str, sender_id: str) -> Conversation | None:
    """The conversation if it exists, without creating it."""
    return session.scalars(
        select(Conversation).where(
            Conversation.channel == channel, Conversation.sender_id == sender_id
        )
    ).one_or_none()


def _take_seq(session: Session, conversation: Conversation) -> int:
    """The next message number, taken atomically (a row lock on PostgreSQL)."""
    row = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id)
        .values(next_seq=Conversation.next_seq + 1, last_message_at=utcnow())
        .returning(Conversation.next_seq, Conversation.last_message_at, Conversation.updated_at)
        .execution_options(synchronize_session=False)
    ).one()
    # Loaded values, not expired ones: objects stay readable after the session ends.
    for key, value in zip(("next_seq", "last_message_at", "updated_at"), row, strict=True):
        set_committed_value(conversation, key, value)
    return int(row.next_seq) - 1


def add_inbound(
    session: Session,
    *,
    conversation: Conversation,
    text: str | None,
    parse: dict[str, Any] | None,
    external_id: str | None = None,
) -> Message | None:
    """Store a litigant's message, masked; None when ``external_id`` was stored before.

    The ORM face of ``turns.record_inbound`` (which conversations use directly).

    Platforms redeliver (WeChat retries after 5 s, Telegram until it gets 200),
    so a repeated platform message id is a duplicate, not a new message.
    """
    stored = record_inbound(
        session,
        channel=conversation.channel,
        sender_id=conversation.sender_id,
        text=text,
        parse=parse,
        external_id=external_id,
    )
    session.refresh(conversation)  # its message number moved on in the database
    return session.get(Message, stored.message_id) if stored.fresh else None


def redact_message(
    session: Session, *, message_id: int, text: str, parse: dict[str, Any] | None
) -> None:
    """Replace a stored message's text and parse (a proof answer: needed once, kept never)."""
    message = session.get(Message, message_id)
    if message is not None:
        message.text = text
        message.parse = None if parse is None else mask_parse(parse)


def add_outbound(
    session: Session,
    *,
    conversation: Conversation,
    text: str | None,
    payload: dict[str, Any] | None,
    sender_kind: str = "bot",
    reply_to: int | None = None,
) -> Message:
    """Store a reply (the assistant's or a staff member's) for the litigant to receive.

    Masked too: a reply never needs a full ID or mobile number, and court
    hotlines (landlines, 12368) do not match the patterns.
    """
    message = Message(
        **outbound_row(
            conversation_id=conversation.id,
            seq=_take_seq(session, conversation),
            text=text,
            payload=payload,
            sender_kind=sender_kind,
            reply_to=reply_to,
            now=utcnow(),
        )
    )
    session.add(message)
    session.flush()
    return message


def messages_after(
    session: Session, *, channel: str, sender_id: str, after: int, direction: str = "out"
) -> list[Message]:
    """Messages of one sender with ``seq > after``, in order: the REST pull endpoint."""
    if direction not in DIRECTIONS:
        raise StoreError(f"unknown direction: {direction!r}")
    if after >= MAX_INTEGER:
        return []  # no message has a larger number; the database could not even compare it
    return list(
        session.scalars(
            select(Message)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(
                Conversation.channel == channel,
                Conversation.sender_id == sender_id,
                Message.direction == direction,
                Message.seq > after,
            )
            .order_by(Message.seq)
        )
    )


def save_state(session: Session, *, conversation: Conversation, state: dict[str, Any]) -> None:
    """Replace the dialog state; it must be JSON (checked here, not at commit)."""
    copy = json_state(state)
    conversation.state = copy  # a new object, so the change is seen
    session.flush()


def set_status(
    session: Session,
    *,
    conversation: Conversation,
    status: str,
    reason: str | None = None,
    actor: str = "bot",
    assignee: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent | None:
    """Move the conversation to ``status`` and record who did it and why.

    ``handoff`` queues it for the desk (time and masked reason kept, no
    assignee); ``human`` gives it to ``assignee`` (default: the actor);
    ``bot`` and ``closed`` release it. ``detail`` adds facts to the audit row,
    e.g. the handoff summary the desk shows (``latest_handoff``). Returns the
    audit event, or None when nothing changed.
    """
    if status not in STATUSES:
        raise StoreError(f"unknown status: {status!r} (one of {', '.join(STATUSES)})")
    old_status, old_assignee = conversation.status, conversation.assignee
    masked_reason = None if reason is None else mask_pii(reason)
    if status == "handoff":
        new_assignee = None
        if old_status != "handoff":
            conversation.handoff_at = utcnow()
            conversation.handoff_reason = masked_reason
    elif status == "human":
        new_assignee = assignee or actor
    else:
        new_assignee = None
        conversation.handoff_at = None
        conversation.handoff_reason = None
    if (status, new_assignee) == (old_status, old_assignee):
        return None
    conversation.status = status
    conversation.assignee = new_assignee
    return add_audit(
        session,
        conversation=conversation,
        actor=actor,
        action="status_change",
        detail={
            **(detail or {}),
            "from": old_status,
            "to": status,
            "reason": masked_reason,
            "assignee": new_assignee,
            "previous_assignee": old_assignee,
        },
    )


def add_audit(
    session: Session,
    *,
    actor: str,
    action: str,
    detail: dict[str, Any] | None = None,
    conversation: Conversation | None = None,
) -> AuditEvent:
    """One line of the audit trail; strings in ``detail`` are masked."""
    event = AuditEvent(
        conversation_id=None if conversation is None else conversation.id,
        actor=actor,
        action=action,
        detail=mask_deep(detail or {}),
    )
    session.add(event)
    session.flush()
    return event


def audit_trail(session: Session, *, conversation_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.conversation_id == conversation_id)
            .order_by(AuditEvent.id)
        )
    )


def latest_handoff(session: Session, *, conversation_id: int) -> AuditEvent | None:
    """The audit row of the conversation's last move to the desk queue (its summary)."""
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.conversation_id == conversation_id, AuditEvent.action == "status_change")
        .order_by(AuditEvent.id.desc())
    )
    return next((e for e in events if e.detail.get("to") == "handoff"), None)


def transcript(session: Session, *, conversation_id: int) -> list[Message]:
    """Every stored message of the conversation, in the order the litigant saw them."""
    return list(
        session.scalars(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.seq)
        )
    )


def conversations_with_status(session: Session, *, status: str) -> list[Conversation]:
    """Conversations in one status, longest waiting first (the desk queue for ``handoff``)."""
    return list(
        session.scalars(
            select(Conversation)
            .where(Conversation.status == status)
            .order_by(
                func.coalesce(Conversation.handoff_at, Conversation.last_message_at),
                Conversation.id,
            )
        )
    )


def purge_older_than(session: Session, *, days: int, now: datetime | None = None) -> int:
    """Delete messages older than ``days`` days; return how many were deleted.

    Conversations with no activity since then are deleted too (a returning
    litigant starts afresh); their audit events stay, detached. Open desk
    conversations (handoff/human) keep their row so staff do not lose them.
    """
    if days < 1:
        raise StoreError(f"days must be at least 1: {days}")
    cutoff = (now or utcnow()) - timedelta(days=days)
    deleted = cast(
        CursorResult[Any],
        session.execute(
            delete(Message)
            .where(Message.created_at < cutoff)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    stale = select(Conversation.id).where(
        Conversation.last_message_at < cutoff,
        Conversation.status.in_(("bot", "closed")),
        ~select(Message.id).where(Message.conversation_id == Conversation.id).exists(),
    )
    stale_ids = list(session.scalars(stale))
    if stale_ids:
        session.execute(
            update(AuditEvent)
            .where(AuditEvent.conversation_id.in_(stale_ids))
            .values(conversation_id=None)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            delete(Conversation)
            .where(Conversation.id.in_(stale_ids))
            .execution_options(synchronize_session=False)
        )
    session.expire_all()
    return int(deleted or 0)


#: Audit details that outlive a forgotten conversation: who moved the chat where and
#: how long it took. No summaries, slots, entities, message text or phone numbers.
ANONYMOUS_AUDIT_KEYS = frozenset(
    {
        "from",
        "to",
        "reason",
        "assignee",
        "previous_assignee",
        "staff_id",
        "to_staff_id",
        "waited_seconds",
        "handled_seconds",
    }
)
#: Statuses in which staff hold the chat: never forgotten under their hands.
_DESK_STATUSES = ("handoff", "human")


@dataclass(frozen=True)
class Forgotten:
    """What ``forget_conversation`` deleted (and how many audit events it anonymised)."""

    messages: int
    callbacks: int
    ratings: int
    audit_events: int


def forget_conversation(
    session: Session, *, conversation_id: int, keep_message_id: int | None = None
) -> Forgotten | None:
    """Delete what a litigant asked us to forget ("删除我的记录"); None if there is no such chat.

    Deleted: every message of the conversation (the litigant's, the bot's and
    staff replies), its call-back numbers and its ratings. The conversation row
    stays (same channel and sender, so the next message and the web chat's pull
    find it) with its dialog state reset and given back to the bot. Its audit
    events stay, detached (``conversation_id`` NULL, as in ``purge_older_than``)
    and cut down to ``ANONYMOUS_AUDIT_KEYS``; one ``forgotten`` event with
    counts only is added.

    ``keep_message_id`` is the inbound message that confirmed the deletion: it
    stays as an empty stub (no text, no parse), so a platform's redelivery of it
    is recognised and the answer stored next is delivered exactly once.

    Refused (StoreError) while staff hold the chat (handoff/human).
    """
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return None
    if conversation.status in _DESK_STATUSES:
        raise StoreError(
            f"conversation {conversation_id} is held by the desk ({conversation.status})"
        )
    if keep_message_id is not None:
        keep = session.get(Message, keep_message_id)
        if keep is None or keep.conversation_id != conversation_id or keep.direction != "in":
            raise StoreError(f"message {keep_message_id} is not an inbound message of this chat")
        keep.text, keep.parse, keep.pending_text = None, None, None
    session.flush()

    doomed = delete(Message).where(Message.conversation_id == conversation_id)
    if keep_message_id is not None:
        doomed = doomed.where(Message.id != keep_message_id)
    messages = rows_changed(session.execute(doomed.execution_options(synchronize_session=False)))
    callbacks = rows_changed(
        session.execute(
            delete(Callback)
            .where(Callback.conversation_id == conversation_id)
            .execution_options(synchronize_session=False)
        )
    )
    ratings = rows_changed(
        session.execute(
            delete(Rating)
            .where(Rating.conversation_id == conversation_id)
            .execution_options(synchronize_session=False)
        )
    )
    events = list(
        session.scalars(select(AuditEvent).where(AuditEvent.conversation_id == conversation_id))
    )
    for event in events:
        event.detail = {k: v for k, v in event.detail.items() if k in ANONYMOUS_AUDIT_KEYS}
        event.conversation_id = None
    conversation.state = {}
    conversation.status = "bot"
    conversation.assignee = None
    conversation.handoff_at = None
    conversation.handoff_reason = None
    forgotten = Forgotten(messages, callbacks, ratings, len(events))
    add_audit(
        session,
        conversation=conversation,
        actor="user",
        action="forgotten",
        detail={
            "channel": conversation.channel,
            "messages": messages,
            "callbacks": callbacks,
            "ratings": ratings,
            "audit_events": len(events),
        },
    )
    session.expire_all()  # rows the caller loaded may be gone: read them afresh
    return forgotten
