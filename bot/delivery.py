"""What push channels (WeChat, Telegram) owe litigants, kept in the database.

A *delivery* is either the answer to one inbound message (the replies stored
with ``reply_to`` pointing at it; progress kept on the inbound row) or a reply
that answers nothing in particular (a staff message, the desk's closing
notice; progress kept on itself). A channel renders a delivery into parts
(WeChat: 2,048-byte texts; Telegram: messages and photos), sends the parts it
has not sent yet, and records each one, so a retry, a redelivery or the
recovery pass after a crash never sends a part twice. Sends are at least once
only in one place: a crash between a platform's "ok" and our record of it.

The web chat needs none of this: it pulls stored messages itself.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import anyio.from_thread
from sqlalchemy import Table, and_, exists, or_, select, update
from sqlalchemy.orm import Session

from bot.storage.models import Conversation, Message, utcnow
from dialogs.replies import Button, Reply

log = logging.getLogger(__name__)

#: The replies' side of messages (``reply_to``), for "has an answer to deliver".
replies = cast(Table, Message.__table__).alias("replies")
#: Channels whose answers we push (and so must track).
PUSH_CHANNELS = ("wechat", "telegram")


@dataclass(frozen=True)
class Delivery:
    """One delivery as stored: who gets it, what it says, how far it got."""

    message_id: int
    channel: str
    recipient: str
    replies: tuple[Reply, ...]
    sent_parts: int
    delivered: bool
    created_at: datetime


def as_reply(row: Message) -> Reply:
    """A stored outbound message as the dialogs' Reply (text, buttons, image)."""
    buttons = tuple(
        Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
        for b in row.buttons
    )
    return Reply(text=row.text or "", buttons=buttons, image=row.image)


def load(session: Session, message_id: int) -> Delivery | None:
    """The delivery tracked on ``message_id``; None for a row that tracks none."""
    row = session.get(Message, message_id)
    if row is None or (row.direction == "out" and row.reply_to is not None):
        return None
    conversation = session.get(Conversation, row.conversation_id)
    if conversation is None:
        return None
    if row.direction == "in":
        answer = session.scalars(
            select(Message).where(Message.reply_to == row.id).order_by(Message.seq)
        )
        replies = tuple(as_reply(reply) for reply in answer)
    else:
        replies = (as_reply(row),)
    return Delivery(
        message_id=row.id,
        channel=conversation.channel,
        recipient=conversation.sender_id,
        replies=replies,
        sent_parts=row.sent_parts,
        delivered=row.delivered_at is not None,
        created_at=row.created_at,
    )


def for_inbound(
    session: Session, *, channel: str, sender_id: str, external_id: str
) -> Delivery | None:
    """The answer owed for a platform message id, if the message was stored."""
    message_id = session.scalar(
        select(Message.id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Conversation.channel == channel,
            Conversation.sender_id == sender_id,
            Message.external_id == external_id,
            Message.direction == "in",
        )
    )
    return None if message_id is None else load(session, message_id)


def undelivered_before(session: Session, *, conversation_id: int, message_id: int) -> list[int]:
    """Earlier answered messages of the conversation whose answer is not delivered yet,
    oldest first: a newer answer must not overtake them (a turn that failed after its
    message was stored is answered by the next one, ahead of that one's own)."""
    return list(
        session.scalars(
            select(Message.id)
            .where(
                Message.conversation_id == conversation_id,
                Message.direction == "in",
                Message.id < message_id,
                Message.answered_at.is_not(None),
                Message.delivered_at.is_(None),
                Message.created_at > utcnow() - timedelta(days=2),  # the recovery pass's window
                exists().where(replies.c.reply_to == Message.id),
            )
            .order_by(Message.seq)
        )
    )


def earlier_owed(session: Session, message_id: int) -> list[int]:
    """``undelivered_before`` the delivery tracked on ``message_id``, found by that id alone."""
    row = session.get(Message, message_id)
    if row is None:
        return []
    return undelivered_before(session, conversation_id=row.conversation_id, message_id=row.id)


def record(session: Session, *, message_id: int, sent_parts: int, done: bool) -> None:
    """``sent_parts`` parts reached the platform; ``done``: finished (or given up)."""
    values: dict[str, Any] = {"sent_parts": sent_parts}
    if done:
        values["delivered_at"] = utcnow()
    session.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def owed(
    session: Session, *, older_than: datetime, newer_than: datetime, limit: int = 200
) -> list[tuple[int, str]]:
    """(message id, channel) of push deliveries stored in the window and not finished.

    An inbound message counts only once answered: until then the recovery pass
    owes it a turn, not a delivery.
    """
    tracked = or_(
        and_(Message.direction == "in", Message.answered_at.is_not(None)),
        and_(Message.direction == "out", Message.reply_to.is_(None)),
    )
    rows = session.execute(
        select(Message.id, Conversation.channel)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Conversation.channel.in_(PUSH_CHANNELS),
            Message.delivered_at.is_(None),
            Message.created_at < older_than,
            Message.created_at > newer_than,
            tracked,
        )
        .order_by(Message.created_at, Message.id)
        .limit(limit)
    )
    return [(int(row.id), str(row.channel)) for row in rows]


def unanswered(
    session: Session, *, older_than: datetime, newer_than: datetime, limit: int = 200
) -> list[int]:
    """Inbound messages stored in the window that no turn has answered yet, oldest first."""
    return list(
        session.scalars(
            select(Message.id)
            .where(
                Message.direction == "in",
                Message.answered_at.is_(None),
                Message.created_at < older_than,
                Message.created_at > newer_than,
            )
            .order_by(Message.created_at, Message.id)
            .limit(limit)
        )
    )


async def push(state: Any, *, channel: str, message_id: int) -> bool:
    """Hand a stored delivery to its channel's sender; False when that channel is not set up."""
    if channel == "telegram" and (telegram := getattr(state, "telegram", None)) is not None:
        await telegram.deliver_stored(message_id)
        return True
    if channel == "wechat" and (wechat := getattr(state, "wechat", None)) is not None:
        wechat.outbox.enqueue(message_id)
        return True
    return channel not in PUSH_CHANNELS  # pull channels fetch stored messages themselves


def make_deliver(state: Any) -> Any:
    """``app.state.deliver`` for the desk: push a stored staff message to its platform.

    Desk routes run in a worker thread; the Telegram bot lives on the event loop.
    """

    def deliver(conversation: Conversation, message_id: int) -> bool:
        if conversation.channel not in PUSH_CHANNELS:
            return True
        return bool(anyio.from_thread.run(_push_kw, state, conversation.channel, message_id))

    return deliver


async def _push_kw(state: Any, channel: str, message_id: int) -> bool:
    return await push(state, channel=channel, message_id=message_id)


def parts_to_send(delivery: Delivery, parts: Sequence[Any]) -> list[tuple[int, Any]]:
    """The parts (with their index) a channel still has to send for ``delivery``."""
    if delivery.delivered:
        return []
    return list(enumerate(parts))[delivery.sent_parts :]
