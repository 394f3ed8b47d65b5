"""What the REST channel and the web chat share: answer one message, list later ones.

Both speak Rasa's REST shapes; they differ only in who may call them (a bearer
token or loopback for REST, a per-browser credential for the web chat) and in
the conversation channel they write to.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import AfterValidator, BaseModel, Field, field_validator

from bot import delivery
from bot.conversation import RECEIVED, AnswerDelayed, ConversationService
from bot.settings import Settings
from bot.storage import repo
from bot.storage.models import MAX_INTEGER
from dialogs.replies import Reply


def _no_nul(value: str) -> str:
    """PostgreSQL refuses NUL in text, so a NUL is a bad request rather than a crash."""
    if "\x00" in value:
        raise ValueError("contains NUL")
    return value


#: Text that can be stored on every supported database.
StorableText = Annotated[str, AfterValidator(_no_nul)]
#: The ``after`` of a pull: a message number, bounded so it fits the seq column
#: (a 32-bit integer on PostgreSQL); a larger one is a bad request.
After = Annotated[int, Query(ge=0, le=MAX_INTEGER)]


class ChatMessage(BaseModel):
    """A web chat message; the REST channel's body adds the sender."""

    message: StorableText = Field(max_length=5000)
    metadata: dict[str, Any] | None = None

    @field_validator("metadata")
    @classmethod
    def _storable_message_id(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        message_id = (value or {}).get("message_id")
        if isinstance(message_id, str):
            _no_nul(message_id)  # it is stored as the message's external id
        return value


def conversations(request: Request) -> ConversationService:
    service: ConversationService = request.app.state.conversations
    return service


def settings(request: Request) -> Settings:
    value: Settings = request.app.state.settings
    return value


Conversations = Annotated[ConversationService, Depends(conversations)]
AppSettings = Annotated[Settings, Depends(settings)]


def answer(
    service: ConversationService, *, channel: str, sender: str, body: ChatMessage
) -> list[dict[str, Any]]:
    """Answer one message. With ``metadata.message_id`` a resend is the same message:
    answered once, and the resend gets the stored answer (the web chat's 重新发送)."""
    external_id = _external_id(body.metadata)
    try:
        replies = service.handle(
            channel=channel, sender_id=sender, text=body.message, external_id=external_id
        )
    except AnswerDelayed:  # stored: the answer follows through the pull endpoint
        return [Reply(RECEIVED).as_rest(sender)]
    if not replies and external_id is not None:
        with service.database.session(readonly=True) as session:
            found = delivery.for_inbound(
                session, channel=channel, sender_id=sender, external_id=external_id
            )
            replies = [] if found is None else list(found.replies)
    return [reply.as_rest(sender) for reply in replies]


def pull(
    service: ConversationService, *, channel: str, sender: str, after: int
) -> list[dict[str, Any]]:
    """Messages for ``sender`` newer than ``after`` (staff replies, late answers)."""
    with service.database.session(readonly=True) as session:
        rows = repo.messages_after(session, channel=channel, sender_id=sender, after=after)
        return [_as_pull(row, sender) for row in rows]


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
