"""The web chat's own API: one credential per browser, always in a header.

``POST /webchat/session`` issues a random sender id (192 bits) and a secret
(256 bits); only the secret's SHA-256 is stored. The page then sends
``Authorization: Bearer <sender>.<secret>`` with every ``POST /webchat/message``
and ``GET /webchat/messages?after=N``. Neither part is ever in a URL, so neither
reaches an access log, and without the right pair nothing of a conversation is
read or written (401). Bodies and answers are those of the REST channel.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Response

from bot.channels.chat import After, ChatMessage, Conversations
from bot.channels.chat import answer as answer_message
from bot.channels.chat import pull as pull_messages
from bot.storage import webchat
from bot.storage.models import utcnow

CHANNEL = "webchat"
#: A session's last use is written at most this often (a pull every few seconds
#: must not cost a write each time); the retention purge needs only the day.
TOUCH_EVERY = timedelta(minutes=5)
BAD_CREDENTIAL = "网页对话凭证无效或已过期，请刷新页面重新开始对话。"
_CREDENTIAL = re.compile(r"Bearer ([A-Za-z0-9_-]{22,64})\.([A-Za-z0-9_-]{22,128})")


@dataclass(frozen=True)
class Credential:
    sender: str
    secret: str

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header value the page sends."""
        return f"Bearer {self.sender}.{self.secret}"


def issue() -> Credential:
    return Credential(sender=secrets.token_urlsafe(24), secret=secrets.token_urlsafe(32))


def hash_secret(secret: str) -> str:
    """The stored form: a 256-bit random secret needs no salt or slow hash."""
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


#: Compared against when the sender is unknown, so both failures take the same time.
_NO_SESSION = hash_secret("")


def webchat_sender(
    service: Conversations, authorization: Annotated[str | None, Header()] = None
) -> str:
    """The sender id of a valid credential; 401 for a missing, malformed or wrong one."""
    match = _CREDENTIAL.fullmatch((authorization or "").strip())
    if match is None:
        raise _refused()
    sender, secret = match.groups()
    with service.database.session(readonly=True) as session:
        stored = webchat.find(session, sender_id=sender)
    expected = stored.secret_hash if stored is not None else _NO_SESSION
    if not hmac.compare_digest(hash_secret(secret), expected) or stored is None:
        raise _refused()
    now = utcnow()
    if now - stored.last_seen_at >= TOUCH_EVERY:
        with service.database.session() as session:
            webchat.touch(session, sender_id=sender, now=now)
    return sender


def _refused() -> HTTPException:
    return HTTPException(401, BAD_CREDENTIAL, headers={"WWW-Authenticate": "Bearer"})


Sender = Annotated[str, Depends(webchat_sender)]


def webchat_router() -> APIRouter:
    """``POST /webchat/session``, ``POST /webchat/message``, ``GET /webchat/messages``."""
    router = APIRouter()

    @router.post("/webchat/session")
    def new_session(service: Conversations, response: Response) -> dict[str, str]:
        """A fresh sender id and its secret: only their holder can read the conversation."""
        credential = issue()
        with service.database.session() as session:
            webchat.create(
                session, sender_id=credential.sender, secret_hash=hash_secret(credential.secret)
            )
        response.headers["Cache-Control"] = "no-store"
        return {"sender": credential.sender, "secret": credential.secret}

    @router.post("/webchat/message")
    def message(body: ChatMessage, sender: Sender, service: Conversations) -> list[dict[str, Any]]:
        """Answer one message (a resend with the same ``metadata.message_id`` is answered once)."""
        return answer_message(service, channel=CHANNEL, sender=sender, body=body)

    @router.get("/webchat/messages")
    def messages(sender: Sender, service: Conversations, after: After = 0) -> list[dict[str, Any]]:
        """This browser's messages newer than ``after`` (a guide's reply, a late answer)."""
        return pull_messages(service, channel=CHANNEL, sender=sender, after=after)

    return router
