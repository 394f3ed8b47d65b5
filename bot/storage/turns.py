"""A turn's own writes, in a few Core statements: the path every message takes.

Storing a turn through the ORM cost most of a message's CPU (two transactions,
~11 statements, a SAVEPOINT and four flushes; benchmarks/RESULTS.md). Here a
turn is two short transactions of plain statements:

1. ``record_inbound``: one ``UPDATE … RETURNING`` finds the conversation, takes
   its next message number and (PostgreSQL) locks its row; one ``INSERT`` stores
   the message. Only a platform message (with an id to dedupe on) adds a SELECT
   and a SAVEPOINT; only a first message adds the conversation's INSERT.
2. ``answerable`` + ``store_answer``: one SELECT checks the chat is still the
   bot's and the message still owed; one UPDATE saves the dialog state and takes
   the replies' numbers; one INSERT stores the replies; one UPDATE marks the
   message answered.

The rows are composed by ``inbound_row`` / ``outbound_row``, so masking is decided
in one place: ``repo.add_outbound`` (staff replies) builds its row with
``outbound_row`` too, and ``repo.add_inbound`` is ``record_inbound``'s ORM face.
Every function here runs inside the caller's session and transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.privacy import mask_pii
from bot.storage.masking import mask_deep, mask_parse, mask_text
from bot.storage.models import Conversation, Message, utcnow

_conversations = cast(Table, Conversation.__table__)
_messages = cast(Table, Message.__table__)


class StoreError(ValueError):
    """A call the store refuses (unknown status, state that is not JSON)."""


@dataclass(frozen=True)
class Inbound:
    """A stored litigant message and what its turn needs of the conversation."""

    conversation_id: int
    message_id: int
    status: str
    state: dict[str, Any]
    #: False: a redelivery of a message stored before (see ``answered``).
    fresh: bool = True
    #: A redelivery whose first delivery was answered: nothing is owed.
    answered: bool = False


@dataclass(frozen=True)
class Outgoing:
    """One reply to store: its text and what the channels render beside it."""

    text: str | None
    payload: dict[str, Any] | None = None


def inbound_row(
    *,
    conversation_id: int,
    seq: int,
    text: str | None,
    parse: dict[str, Any] | None,
    external_id: str | None,
    now: datetime,
) -> dict[str, Any]:
    """A litigant's message as stored: masked, with the raw text kept until it is answered."""
    return {
        "conversation_id": conversation_id,
        "seq": seq,
        "direction": "in",
        "sender_kind": "user",
        "text": None if text is None else mask_text(text, parse),
        "parse": None if parse is None else mask_parse(parse),
        "external_id": external_id,
        "pending_text": text,
        "created_at": now,
    }


def outbound_row(
    *,
    conversation_id: int,
    seq: int,
    text: str | None,
    payload: dict[str, Any] | None,
    sender_kind: str,
    reply_to: int | None,
    now: datetime,
) -> dict[str, Any]:
    """A reply as stored: masked too (a reply never needs a full ID or mobile number)."""
    if sender_kind not in ("bot", "staff"):
        raise StoreError(f"unknown sender_kind for an outbound message: {sender_kind!r}")
    return {
        "conversation_id": conversation_id,
        "seq": seq,
        "direction": "out",
        "sender_kind": sender_kind,
        "text": None if text is None else mask_pii(text),
        "payload": None if payload is None else mask_deep(payload),
        "reply_to": reply_to,
        "created_at": now,
    }


def json_state(state: dict[str, Any]) -> dict[str, Any]:
    """A copy of the dialog state that is certainly JSON (checked here, not at commit)."""
    try:
        return json.loads(json.dumps(state, ensure_ascii=False, allow_nan=False))  # type: ignore[no-any-return]
    except (TypeError, ValueError) as exc:
        raise StoreError(f"dialog state is not JSON: {exc}") from exc


# The statements, built once: building one costs more than running it on SQLite.
_SEEN = (
    select(
        _messages.c.id,
        _messages.c.answered_at,
        _conversations.c.id,
        _conversations.c.status,
        _conversations.c.state,
    )
    .join(_conversations, _conversations.c.id == _messages.c.conversation_id)
    .where(
        _conversations.c.channel == bindparam("channel"),
        _conversations.c.sender_id == bindparam("sender_id"),
        _messages.c.external_id == bindparam("external_id"),
    )
)
#: Finds the conversation, takes its next message number, and (PostgreSQL) locks its row.
_TAKE_INBOUND_SEQ = (
    update(_conversations)
    .where(
        _conversations.c.channel == bindparam("by_channel"),
        _conversations.c.sender_id == bindparam("by_sender_id"),
    )
    .values(next_seq=_conversations.c.next_seq + 1, last_message_at=bindparam("now"))
    .returning(
        _conversations.c.id,
        _conversations.c.status,
        _conversations.c.state,
        _conversations.c.next_seq,
    )
)
_CREATE_CONVERSATION = insert(_conversations).returning(_conversations.c.id)
_INSERT_MESSAGE = insert(_messages).returning(_messages.c.id)
_INSERT_MESSAGES = insert(_messages)
_ANSWERABLE = (
    select(_conversations.c.status)
    .join(_messages, _messages.c.conversation_id == _conversations.c.id)
    .where(
        _conversations.c.id == bindparam("conversation_id"),
        _messages.c.id == bindparam("message_id"),
        _messages.c.answered_at.is_(None),
    )
)
_TAKE_REPLY_SEQS = (
    update(_conversations)
    .where(_conversations.c.id == bindparam("by_conversation_id"))
    .values(
        next_seq=_conversations.c.next_seq + bindparam("count"),
        last_message_at=bindparam("now"),
    )
    .returning(_conversations.c.next_seq)
)
_TAKE_REPLY_SEQS_AND_STATE = _TAKE_REPLY_SEQS.values(state=bindparam("new_state"))
#: Older messages of one conversation still owed an answer (the answered_at index finds
#: the few unanswered rows; a message older than two days is left to the desk's view).
_OWED_BEFORE = (
    select(_messages.c.id)
    .where(
        _messages.c.answered_at.is_(None),
        _messages.c.conversation_id == bindparam("conversation_id"),
        _messages.c.direction == "in",
        _messages.c.id < bindparam("message_id"),
        _messages.c.created_at > bindparam("newer_than"),
    )
    .order_by(_messages.c.seq)
)
_MARK_ANSWERED = (
    update(_messages)
    .where(_messages.c.id == bindparam("by_message_id"))
    .values(answered_at=bindparam("now"), pending_text=None)
)


#: A race lost to a concurrent request is settled by the next try; more is not a race.
_ATTEMPTS = 3


def record_inbound(
    session: Session,
    *,
    channel: str,
    sender_id: str,
    text: str | None,
    parse: dict[str, Any] | None,
    external_id: str | None = None,
) -> Inbound:
    """Store a litigant's message (creating the conversation on the first one).

    Platforms redeliver (WeChat retries after 5 s, Telegram until it gets 200),
    so a repeated ``external_id`` is the message stored before: returned with
    ``fresh=False`` and nothing written.
    """
    if not channel or not sender_id:
        raise StoreError("channel and sender_id must not be empty")
    session.flush()  # ORM changes of this session go first, in order
    for _ in range(_ATTEMPTS):  # again only after losing a race to a concurrent request
        stored = _record_once(session, channel, sender_id, text, parse, external_id)
        if stored is not None:
            return stored
    raise StoreError(f"message not stored after {_ATTEMPTS} attempts: conflicting writes")


def _record_once(
    session: Session,
    channel: str,
    sender_id: str,
    text: str | None,
    parse: dict[str, Any] | None,
    external_id: str | None,
) -> Inbound | None:
    """``record_inbound``'s statements; None when a concurrent request created the
    conversation or stored the same delivery first (the next try sees it)."""
    connection = session.connection()
    now = utcnow()
    if external_id is not None:
        seen = connection.execute(
            _SEEN, {"channel": channel, "sender_id": sender_id, "external_id": external_id}
        ).first()
        if seen is not None:
            return Inbound(seen[2], seen[0], seen[3], seen[4] or {}, False, seen[1] is not None)
    found = connection.execute(
        _TAKE_INBOUND_SEQ, {"by_channel": channel, "by_sender_id": sender_id, "now": now}
    ).first()
    if found is None:
        conversation_id = _create_conversation(session, channel, sender_id, now)
        if conversation_id is None:
            return None
        status, state, seq = "bot", dict[str, Any](), 1
    else:
        conversation_id, status, state, seq = found[0], found[1], found[2] or {}, found[3] - 1
    row = inbound_row(
        conversation_id=conversation_id,
        seq=seq,
        text=text,
        parse=parse,
        external_id=external_id,
        now=now,
    )
    if external_id is None:
        message_id = connection.execute(_INSERT_MESSAGE, row).scalar_one()
    else:
        try:
            with session.begin_nested():
                message_id = session.connection().execute(_INSERT_MESSAGE, row).scalar_one()
        except IntegrityError:
            return None
    return Inbound(conversation_id, message_id, status, state)


def _create_conversation(
    session: Session, channel: str, sender_id: str, now: datetime
) -> int | None:
    """A new conversation whose message 1 is being stored; None if another request won."""
    row = {
        "channel": channel,
        "sender_id": sender_id,
        "status": "bot",
        "state": {},
        "next_seq": 2,
        "created_at": now,
        "updated_at": now,
        "last_message_at": now,
    }
    try:
        with session.begin_nested():
            return int(session.connection().execute(_CREATE_CONVERSATION, row).scalar_one())
    except IntegrityError:
        return None


def answerable(session: Session, *, conversation_id: int, message_id: int) -> str | None:
    """The conversation's status while ``message_id`` still owes its answer; else None.

    None: the message or its conversation was deleted meanwhile (a purge, a
    "删除我的记录"), or another delivery answered it.
    """
    session.flush()
    params = {"conversation_id": conversation_id, "message_id": message_id}
    return session.connection().execute(_ANSWERABLE, params).scalar_one_or_none()


def store_answer(
    session: Session,
    *,
    conversation_id: int,
    message_id: int,
    replies: Sequence[Outgoing],
    state: dict[str, Any] | None = None,
) -> None:
    """The replies to ``message_id`` (linked to it for delivery), the new dialog state if
    given, and the message marked answered, its unmasked text forgotten."""
    session.flush()
    connection = session.connection()
    now = utcnow()
    if replies or state is not None:
        params: dict[str, Any] = {
            "by_conversation_id": conversation_id,
            "count": len(replies),
            "now": now,
        }
        if state is None:
            next_seq = connection.execute(_TAKE_REPLY_SEQS, params).scalar_one()
        else:
            params["new_state"] = json_state(state)
            next_seq = connection.execute(_TAKE_REPLY_SEQS_AND_STATE, params).scalar_one()
        first = next_seq - len(replies)
        if replies:
            rows = [
                outbound_row(
                    conversation_id=conversation_id,
                    seq=first + i,
                    text=reply.text,
                    payload=reply.payload,
                    sender_kind="bot",
                    reply_to=message_id,
                    now=now,
                )
                for i, reply in enumerate(replies)
            ]
            connection.execute(_INSERT_MESSAGES, rows)
    connection.execute(_MARK_ANSWERED, {"by_message_id": message_id, "now": now})


def mark_answered(session: Session, *, message_id: int) -> None:
    """The message needs no turn any more: flagged answered, its unmasked text forgotten."""
    session.flush()
    params = {"by_message_id": message_id, "now": utcnow()}
    session.connection().execute(_MARK_ANSWERED, params)


def owed_before(
    session: Session, *, conversation_id: int, message_id: int, newer_than: datetime
) -> list[int]:
    """Earlier messages of the conversation whose turn never finished, oldest first.

    Their answers go before ``message_id``'s, so a litigant never reads them out of order.
    """
    params: dict[str, Any] = {"conversation_id": conversation_id, "message_id": message_id}
    params["newer_than"] = newer_than
    return list(session.connection().execute(_OWED_BEFORE, params).scalars())
