"""The desk's JSON API for the queue and conversations (contracts.md §3 "The desk's JSON API").

Reads use read-only sessions (no write lock on SQLite); every state change is
one short write transaction, and the live-update event and the outbound hook
run only after it committed. ``app.state.deliver(conversation, message_id)``, when
set, carries a staff message to channels that push (WeChat, Telegram); the web
chat fetches it from ``GET /webchat/messages`` (REST clients from ``/webhooks/rest/messages``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from bot.desk import service
from bot.desk.auth import StaffUser, current_staff, require_csrf
from bot.desk.events import events_of, events_router
from bot.desk.ids import RowId
from bot.storage.db import Database
from bot.storage.models import Conversation

log = logging.getLogger(__name__)

#: The longest staff reply (a web chat bubble, a WeChat text message).
MAX_REPLY = 2000


class ReplyBody(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_REPLY)


class TransferBody(BaseModel):
    to: str = Field(min_length=1, max_length=64)


@contextmanager
def _desk_session(request: Request, *, readonly: bool = False) -> Iterator[Session]:
    """A store session whose refusals become HTTP answers with a Chinese message."""
    database: Database = request.app.state.db
    try:
        with database.session(readonly=readonly) as session:
            yield session
    except service.DeskError as exc:
        raise HTTPException(status_code=exc.status_code, detail=exc.message) from exc


def _deliver(request: Request, conversation: Conversation, message_id: int) -> bool:
    """Push stored message ``message_id`` through the channel's outbound hook, if any.

    The message is stored and tracked first (bot.delivery): if the platform is
    down now, the recovery pass sends it later; nothing is lost either way.
    """
    deliver: Callable[[Conversation, int], Any] | None = getattr(request.app.state, "deliver", None)
    if deliver is None:
        return True  # pull channels (the web chat) fetch the stored message
    try:
        return bool(deliver(conversation, message_id))
    except Exception:  # a channel outage must not lose the stored reply
        log.warning("delivery to conversation %s failed", conversation.id, exc_info=True)
        return False


def _ownership(conversation: Conversation) -> dict[str, Any]:
    return {
        "conversation_id": conversation.id,
        "status": conversation.status,
        "assignee": conversation.assignee,
    }


Staff = Annotated[StaffUser, Depends(current_staff)]
Checked = Annotated[StaffUser, Depends(require_csrf)]


def desk_router() -> APIRouter:
    """Queue, conversations, actions, stats and the live event stream."""
    router = APIRouter()
    router.include_router(events_router())

    @router.get("/desk/api/queue")
    def queue(request: Request, staff: Staff) -> list[dict[str, Any]]:
        with _desk_session(request, readonly=True) as session:
            return service.queue(session)

    @router.get("/desk/api/conversations/{conversation_id}")
    def conversation(request: Request, conversation_id: RowId, staff: Staff) -> dict[str, Any]:
        with _desk_session(request, readonly=True) as session:
            return service.conversation_view(session, conversation_id=conversation_id, staff=staff)

    @router.post("/desk/api/conversations/{conversation_id}/claim")
    def claim(request: Request, conversation_id: RowId, staff: Checked) -> dict[str, Any]:
        with _desk_session(request) as session:
            claimed = service.claim(session, conversation_id=conversation_id, staff=staff)
        events_of(request).publish(
            {"type": "queue", "conversation_id": conversation_id, "action": "claim"}
        )
        return _ownership(claimed)

    @router.post("/desk/api/conversations/{conversation_id}/messages")
    def send(
        request: Request, conversation_id: RowId, body: ReplyBody, staff: Checked
    ) -> dict[str, Any]:
        with _desk_session(request) as session:
            message = service.reply(
                session, conversation_id=conversation_id, staff=staff, text=body.text
            )
            conversation = session.get(Conversation, conversation_id)
        events_of(request).publish({"type": "message", "conversation_id": conversation_id})
        delivered = conversation is not None and _deliver(request, conversation, message.id)
        return {"conversation_id": conversation_id, "seq": message.seq, "delivered": delivered}

    @router.post("/desk/api/conversations/{conversation_id}/transfer")
    def transfer(
        request: Request, conversation_id: RowId, body: TransferBody, staff: Checked
    ) -> dict[str, Any]:
        with _desk_session(request) as session:
            moved = service.transfer(
                session, conversation_id=conversation_id, staff=staff, to=body.to
            )
        events_of(request).publish(
            {"type": "queue", "conversation_id": conversation_id, "action": "transfer"}
        )
        return _ownership(moved)

    @router.post("/desk/api/conversations/{conversation_id}/close")
    def close(request: Request, conversation_id: RowId, staff: Checked) -> dict[str, Any]:
        with _desk_session(request) as session:
            closed = service.close(session, conversation_id=conversation_id, staff=staff)
        events_of(request).publish(
            {"type": "queue", "conversation_id": conversation_id, "action": "close"}
        )
        _deliver(request, closed.conversation, closed.notice.id)
        return _ownership(closed.conversation)

    @router.get("/desk/api/stats")
    def stats(
        request: Request, staff: Staff, days: Annotated[int, Query(ge=1, le=366)] = 14
    ) -> list[dict[str, Any]]:
        with _desk_session(request, readonly=True) as session:
            return service.daily_stats(session, days=days)

    return router
