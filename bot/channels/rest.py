"""Rasa's REST channel: ``POST /webhooks/rest/webhook`` and the pull endpoint for later messages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from bot.conversation import ConversationService
from bot.storage import repo

CHANNEL = "rest"


class RestMessage(BaseModel):
    sender: str = Field(min_length=1, max_length=128)
    message: str = Field(max_length=5000)
    metadata: dict[str, Any] | None = None


def rest_router() -> APIRouter:
    router = APIRouter()

    @router.post("/webhooks/rest/webhook")
    def webhook(body: RestMessage, request: Request) -> list[dict[str, Any]]:
        service: ConversationService = request.app.state.conversations
        replies = service.handle(channel=CHANNEL, sender_id=body.sender, text=body.message)
        return [reply.as_rest(body.sender) for reply in replies]

    @router.get("/webhooks/rest/messages")
    def messages(
        request: Request,
        sender: Annotated[str, Query(min_length=1, max_length=128)],
        after: Annotated[int, Query(ge=0)] = 0,
    ) -> list[dict[str, Any]]:
        """Messages for ``sender`` newer than ``after`` (staff replies, late answers)."""
        service: ConversationService = request.app.state.conversations
        with service.database.session() as session:
            rows = repo.messages_after(session, channel=CHANNEL, sender_id=sender, after=after)
            return [_as_pull(row, sender) for row in rows]

    return router


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
