"""Rasa's REST channel: ``POST /webhooks/rest/webhook`` and the pull endpoint for later messages.

It is a server-to-server channel: any caller names any ``sender``, so it answers
only a caller holding ``YICHUANG_REST_TOKEN`` (``Authorization: Bearer <token>``)
or, with no token set, a client on this machine's loopback that did not come
through a reverse proxy. The web chat has routes of its own (bot.channels.webchat).
"""

from __future__ import annotations

import ipaddress
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from pydantic import Field

from bot.channels.chat import After, AppSettings, ChatMessage, Conversations, StorableText
from bot.channels.chat import answer as answer_message
from bot.channels.chat import pull as pull_messages

CHANNEL = "rest"
#: Headers a reverse proxy adds: a request carrying one is not a local client's.
PROXY_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded")
NEEDS_TOKEN = "REST 接口需要有效的访问令牌（Authorization: Bearer）"
LOOPBACK_ONLY = "未设置 YICHUANG_REST_TOKEN 时，REST 接口只接受本机直接访问"


class RestMessage(ChatMessage):
    sender: StorableText = Field(min_length=1, max_length=128)


def require_rest_client(
    request: Request,
    settings: AppSettings,
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    """The token when one is set; else a direct loopback client (401 / 403 otherwise)."""
    if settings.rest_token:
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(
            given.strip().encode(), settings.rest_token.encode()
        ):
            raise HTTPException(401, NEEDS_TOKEN, headers={"WWW-Authenticate": "Bearer"})
        return
    if not is_direct_loopback(request):
        raise HTTPException(403, LOOPBACK_ONLY)


def is_direct_loopback(request: Request) -> bool:
    """A client on 127.0.0.0/8 or ::1 whose request no proxy forwarded."""
    if any(name in request.headers for name in PROXY_HEADERS):
        return False
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a Unix socket or a test client: not provably this machine
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return bool((mapped or address).is_loopback)


def rest_router() -> APIRouter:
    router = APIRouter(dependencies=[Depends(require_rest_client)])

    @router.post("/webhooks/rest/webhook")
    def webhook(body: RestMessage, service: Conversations) -> list[dict[str, Any]]:
        """Answer one message (a resend with the same ``metadata.message_id`` is answered once)."""
        return answer_message(service, channel=CHANNEL, sender=body.sender, body=body)

    @router.get("/webhooks/rest/messages")
    def messages(
        service: Conversations,
        sender: Annotated[StorableText, Query(min_length=1, max_length=128)],
        after: After = 0,
    ) -> list[dict[str, Any]]:
        """Messages for ``sender`` newer than ``after`` (staff replies, late answers)."""
        return pull_messages(service, channel=CHANNEL, sender=sender, after=after)

    return router
