"""Rasa's REST channel: ``POST /webhooks/rest/webhook`` and the pull endpoint for later messages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from bot import delivery
from bot.conversation import RECEIVED, AnswerDelayed, ConversationService
from bot.storage import repo
from dialogs.replies import Reply

CHANNEL = "rest"


class RestMessage(BaseModel):
    sender: str = Field(min_length=1, max_length=128)
    message: str = Field(max_length=5000)
    metadata: dict[str, Any] | None = None


def rest_router() -> APIRouter:
    router = APIRouter()

    @router.post("/webhooks/rest/webhook")
    def webhook(body: RestMessage, request: Request) -> list[dict[str, Any]]:
        """Answer one message. With ``metadata.message_id`` a resend is the same message:
        answered once, and the resend gets the stored answer (the web chat's 重新发送)."""
        service: ConversationService = request.app.state.conversations
        external_id = _external_id(body.metadata)
        try:
            replies = service.handle(
                channel=CHANNEL, sender_id=body.sender, text=body.message, external_id=external_id
            )
        except AnswerDelayed:  # stored: the answer follows through the pull endpoint
            return [Reply(RECEIVED).as_rest(body.sender)]
        if not replies and external_id is not None:
            with service.database.session(readonly=True) as session:
                found = delivery.for_inbound(
                    session, channel=CHANNEL, sender_id=body.sender, external_id=external_id
                )
                replies = [] if found is None else list(found.replies)
        return [reply.as_rest(body.sender) for reply in replies]

    @router.get("/webhooks/rest/messages")
    def messages(
        request: Request,
        sender: Annotated[str, Query(min_length=1, max_length=128)],
        after: Annotated[int, Query(ge=0)] = 0,
    ) -> list[dict[str, Any]]:
        """Messages for ``sender`` newer than ``after`` (staff replies, late answers)."""
        service: ConversationService = request.app.state.conversations
        with service.database.session(readonly=True) as session:
            rows = repo.messages_after(session, channel=CHANNEL, sender_id=sender, after=after)
            return [_as_pull(row, sender) for row in rows]

    return router


def _external_id(metadata: dict[str, Any] | None) -> str | None:
    """The client's id of this message, if it gave a usable one."""
    value = (metadata or {}).get("message_id")
    if isinstance(value, str) and 8 <= len(value) <= 100 and value.isascii():
        return "web:" + value
    return None


def _as_pull(row: Any, sender: str) -> dict[str, Any]:
    message: dict[str, Any] = {"seq": row.seq, "recipient_id": sender}
    if row.text is not None:
        message["text"] = row.text
    payload = row.payload or {}
    if payload.get("image"):
        message["image"] = payload["image"]
    if payload.get("buttons"):
        message["buttons"] = payload["buttons"]
    return message
