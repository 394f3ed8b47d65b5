"""Telegram channel: ``POST /webhooks/telegram/webhook`` → one conversation turn → Bot API sends.

Delivery, briefly (channels.md §2.2, §4.3):

- The secret header is compared in constant time; a wrong or missing one gets
  403 before anything is read or stored.
- The update is answered synchronously: 200 only after every reply reached
  Telegram. A failure before the message is stored is a 500, a send that fails
  is a 503; either way Telegram redelivers the update.
- ``update_id`` is the message's external id, so a redelivery is not a new
  turn. The answer is stored with the message and its parts are recorded as
  they reach Telegram (bot.delivery), so a redelivery sends only what is still
  owed, and nothing after a complete answer. A message whose turn failed after
  it was stored is answered by the redelivery (or by the recovery pass).
- One chat's updates are handled and answered in arrival order (a FIFO
  ``asyncio.Lock`` per chat); different chats run in parallel.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import warnings
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot import delivery
from bot.conversation import AnswerDelayed, ConversationService
from bot.settings import Settings
from bot.storage import repo
from bot.storage.models import Message
from dialogs.replies import Button, Reply

log = logging.getLogger(__name__)

CHANNEL = "telegram"
WEBHOOK_PATH = "/webhooks/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Bot API limits (python-telegram-bot ``MessageLimit``/``CallbackQueryLimit``), in UTF-16 units.
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
#: Telegram updates are small; anything bigger is not from Telegram.
MAX_BODY_BYTES = 1_000_000
#: How long one request may wait for a 429 to pass; longer waits go back to Telegram (503).
MAX_RETRY_AFTER_SECONDS = 30.0
SEND_ATTEMPTS = 3
#: How many recent bot messages are searched for a long button's payload.
BUTTON_LOOKBACK = 50

NOT_TEXT = "目前只能看懂文字消息，请用文字描述您的问题。"
STALE_BUTTON = "这个按钮已失效，请直接输入您的问题。"
#: How those messages are stored in the transcript the desk reads.
NOT_TEXT_TEXT = "［非文字消息］"
STALE_BUTTON_TEXT = "［点击了已失效的按钮］"
CHOOSE = "请选择："
#: Telegram's own commands that stand for a greeting.
GREETING_COMMANDS = frozenset({"/start", "/help"})


class DeliveryFailed(RuntimeError):
    """A reply did not reach Telegram; the update must be redelivered."""


@dataclass(frozen=True)
class Outgoing:
    """One Bot API call: a text message or a photo, with the reply's buttons if it carries them."""

    text: str | None = None
    photo: str | None = None
    buttons: tuple[Button, ...] = field(default=())


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most ``limit`` UTF-16 units, cut at a paragraph, line or sentence end if any."""
    pieces: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        cut = _fit(rest, limit)
        window = rest[:cut]
        for mark in ("\n\n", "\n", "。", "；", "，", " "):
            at = window.rfind(mark)
            if at > cut // 2:
                cut = at + len(mark)
                break
        pieces.append(rest[:cut].rstrip("\n"))
        rest = rest[cut:].lstrip("\n")
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _fit(text: str, limit: int) -> int:
    """The largest character count whose UTF-16 length is within ``limit``."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def callback_key(payload: str) -> str:
    """``callback_data`` for a payload: itself when it fits in 64 bytes, else ``#`` + a digest."""
    if len(payload.encode("utf-8")) <= MAX_CALLBACK_DATA and not payload.startswith("#"):
        return payload
    digest = hashlib.sha256(payload.encode("utf-8")).digest()[:16]
    return "#" + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def render(reply: Reply) -> list[Outgoing]:
    """The Bot API calls one reply becomes; buttons ride on the last one."""
    calls: list[Outgoing] = []
    text = reply.text or ""
    if reply.image:
        if text and utf16_len(text) <= MAX_CAPTION:
            return [Outgoing(text=text, photo=reply.image, buttons=reply.buttons)]
        calls.append(Outgoing(photo=reply.image))
    if text:
        calls.extend(Outgoing(text=piece) for piece in split_text(text))
    elif reply.buttons and not calls:
        calls.append(Outgoing(text=CHOOSE))
    if reply.buttons:
        last = calls[-1]
        calls[-1] = Outgoing(text=last.text, photo=last.photo, buttons=reply.buttons)
    return calls


def keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.title, callback_data=callback_key(b.payload))] for b in buttons]
    )


class ChatLocks:
    """One FIFO lock per chat (asyncio.Lock wakes waiters in order), dropped when unused."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, chat_id: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(chat_id, (asyncio.Lock(), 0))
        self._locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[chat_id]
            if users == 1:
                del self._locks[chat_id]
            else:
                self._locks[chat_id] = (lock, users - 1)


class TelegramChannel:
    """The bot and per-chat order; ``app.state.telegram`` after ``register``."""

    def __init__(self, settings: Settings, service: ConversationService) -> None:
        if not settings.telegram_token:
            raise ValueError("YICHUANG_TELEGRAM_TOKEN is not set")
        self.settings = settings
        self.service = service
        self.bot = Bot(settings.telegram_token, base_url=settings.telegram_api_base_url)
        self.chats = ChatLocks()
        self._secret = (settings.telegram_webhook_secret or "").encode("utf-8")

    async def start(self) -> None:
        """Check the token with getMe; an unreachable Bot API must not stop the server."""
        try:
            await self.bot.initialize()
        except TelegramError as exc:
            log.warning("Telegram getMe failed (%s); sends will be retried per update", exc)

    async def stop(self) -> None:
        try:
            await self.bot.shutdown()
        except TelegramError as exc:
            log.warning("Telegram shutdown: %s", exc)

    def secret_ok(self, given: str | None) -> bool:
        """Constant-time comparison; no secret configured means every update is refused."""
        if not self._secret or given is None:
            return False
        return hmac.compare_digest(given.encode("utf-8"), self._secret)

    async def receive(self, request: Request) -> JSONResponse:
        if not self.secret_ok(request.headers.get(SECRET_HEADER)):
            return JSONResponse(status_code=403, content={"message": "密钥不正确，拒绝处理"})
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return JSONResponse(status_code=413, content={"message": "请求过大"})
        update = _parse_update(body)
        if update is None:
            return JSONResponse(status_code=400, content={"message": "无法识别的 Telegram 更新"})
        await self.dispatch(update)
        return JSONResponse(content={})

    async def dispatch(self, update: Update) -> None:
        """Answer one update; raises on failure so the caller answers non-2xx."""
        key = str(update.update_id)
        query = update.callback_query
        if query is not None:
            await self._answer_callback(query.id)
            chat = query.message.chat if query.message is not None else None
            if chat is None or chat.type != "private" or not query.data:
                return
            async with self.chats.hold(chat.id):
                payload = await run_in_threadpool(self._button_payload, chat.id, query.data)
                if payload is None:
                    await self._notice(chat.id, STALE_BUTTON_TEXT, STALE_BUTTON, key)
                else:
                    await self._turn(chat.id, payload, key)
            return
        message = update.message
        if message is None or message.chat is None or message.chat.type != "private":
            return  # edits, channel posts, group chats, no chat at all: not a litigant's question
        async with self.chats.hold(message.chat.id):
            if message.text is None:
                await self._notice(message.chat.id, NOT_TEXT_TEXT, NOT_TEXT, key)
            else:
                text = message.text.strip()
                if text.split("@")[0] in GREETING_COMMANDS:
                    text = "你好"
                await self._turn(message.chat.id, text, key)

    async def _turn(self, chat_id: int, text: str, key: str) -> None:
        await run_in_threadpool(
            self.service.handle,
            channel=CHANNEL,
            sender_id=str(chat_id),
            text=text,
            external_id=key,
        )
        await self._send_answer(chat_id, key)

    async def _notice(self, chat_id: int, stored_as: str, answer: str, key: str) -> None:
        """A fixed bot line for what the assistant cannot read; never into a chat a person owns."""
        await run_in_threadpool(
            self.service.handle_fixed,
            channel=CHANNEL,
            sender_id=str(chat_id),
            text=stored_as,
            answer=answer,
            external_id=key,
        )
        await self._send_answer(chat_id, key)

    async def _send_answer(self, chat_id: int, key: str) -> None:
        """Send what is still owed of the answer to update ``key`` (the caller holds the chat).

        Older answers not yet delivered (a turn that failed after its message was stored
        is answered by the next message, ahead of its own) go first, so none is overtaken.
        """
        found = await run_in_threadpool(self._load_for_update, chat_id, key)
        if found is None:
            return
        for message_id in await run_in_threadpool(self._earlier_owed, found.message_id):
            await self._send_owed(message_id)
        await self._send_owed(found.message_id)

    async def deliver_stored(self, message_id: int) -> None:
        """Send what is still owed of a stored delivery, in the chat's order.

        The desk's staff replies and the recovery pass come this way.
        """
        found = await run_in_threadpool(self._load, message_id)
        if found is None or found.delivered:
            return
        async with self.chats.hold(int(found.recipient)):
            await self._send_owed(message_id)

    async def _send_owed(self, message_id: int) -> None:
        found = await run_in_threadpool(self._load, message_id)  # fresh, under the chat's lock
        if found is None or found.delivered:
            return
        parts = [call for reply in found.replies for call in render(reply)]
        if not parts:
            await run_in_threadpool(self._record, message_id, 0, True)
        for index, call in delivery.parts_to_send(found, parts):
            await self._send(int(found.recipient), call)
            await run_in_threadpool(self._record, message_id, index + 1, index + 1 == len(parts))

    async def _send(self, chat_id: int, call: Outgoing) -> int:
        markup = keyboard(call.buttons)
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                if call.photo is not None:
                    sent = await self.bot.send_photo(
                        chat_id, call.photo, caption=call.text, reply_markup=markup
                    )
                else:
                    sent = await self.bot.send_message(
                        chat_id, call.text or "", reply_markup=markup
                    )
                return sent.message_id
            except RetryAfter as exc:
                wait = _seconds(exc)
                if wait > MAX_RETRY_AFTER_SECONDS or attempt == SEND_ATTEMPTS:
                    raise DeliveryFailed(f"Telegram asks to wait {wait:.0f} s") from exc
                log.info("Telegram 429: waiting %.1f s before resending", wait)
                await asyncio.sleep(wait)
            except NetworkError as exc:  # includes TimedOut and 5xx answers
                raise DeliveryFailed(f"Telegram unreachable: {exc}") from exc
        raise DeliveryFailed("unreachable")  # pragma: no cover - the loop returns or raises

    async def _answer_callback(self, query_id: str) -> None:
        """Stop the button's spinner; a failure here must not cost the answer."""
        try:
            await self.bot.answer_callback_query(query_id)
        except TelegramError as exc:
            log.info("answerCallbackQuery failed: %s", exc)

    # -- store reads (run in the thread pool) -------------------------------------------

    def _load(self, message_id: int) -> delivery.Delivery | None:
        with self.service.database.session(readonly=True) as session:
            return delivery.load(session, message_id)

    def _load_for_update(self, chat_id: int, key: str) -> delivery.Delivery | None:
        with self.service.database.session(readonly=True) as session:
            return delivery.for_inbound(
                session, channel=CHANNEL, sender_id=str(chat_id), external_id=key
            )

    def _earlier_owed(self, message_id: int) -> list[int]:
        with self.service.database.session(readonly=True) as session:
            return delivery.earlier_owed(session, message_id)

    def _record(self, message_id: int, sent_parts: int, done: bool) -> None:
        with self.service.database.session() as session:
            delivery.record(session, message_id=message_id, sent_parts=sent_parts, done=done)

    def _button_payload(self, chat_id: int, data: str) -> str | None:
        """The payload behind ``callback_data``: itself, or a long payload found by its digest."""
        if not data.startswith("#"):
            return data
        with self.service.database.session(readonly=True) as session:
            found = repo.find_conversation(session, channel=CHANNEL, sender_id=str(chat_id))
            if found is None:
                return None
            rows = session.scalars(
                select(Message)
                .where(Message.conversation_id == found.id, Message.direction == "out")
                .order_by(Message.seq.desc())
                .limit(BUTTON_LOOKBACK)
            )
            for row in rows:
                for button in row.buttons:
                    payload = str(button.get("payload", ""))
                    if callback_key(payload) == data:
                        return payload
        return None


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _parse_update(body: bytes) -> Update | None:
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return None
        return Update.de_json(data, None)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None  # RecursionError: JSON nested too deep to read


def telegram_router(channel: TelegramChannel) -> APIRouter:
    router = APIRouter()

    @router.post(WEBHOOK_PATH)
    async def webhook(request: Request) -> JSONResponse:
        try:
            return await channel.receive(request)
        except DeliveryFailed as exc:
            log.warning("Telegram reply not delivered, asking for a redelivery: %s", exc)
            return JSONResponse(status_code=503, content={"message": "暂时无法发送，请稍后重试"})
        except AnswerDelayed:
            # Stored, its answer not: the redelivery (or the chat's next message, or the
            # recovery pass) answers it, in order.
            log.warning("Telegram message stored but not answered yet; asking for a redelivery")
            return JSONResponse(status_code=503, content={"message": "正在处理，请稍后重试"})

    return router


def register(app: FastAPI, settings: Settings) -> TelegramChannel | None:
    """Mount the Telegram webhook when ``YICHUANG_TELEGRAM_TOKEN`` is set; None otherwise."""
    if not settings.telegram_token:
        return None
    if not settings.telegram_webhook_secret:
        log.warning(
            "YICHUANG_TELEGRAM_WEBHOOK_SECRET is not set: every Telegram update is refused (403)"
        )
    channel = TelegramChannel(settings, app.state.conversations)
    app.state.telegram = channel
    app.include_router(telegram_router(channel))
    app.router.lifespan_context = _with_channel(app.router.lifespan_context, channel)
    return channel


def _with_channel(
    inner: Callable[[Any], AbstractAsyncContextManager[Any]], channel: TelegramChannel
) -> Callable[[Any], AbstractAsyncContextManager[Any]]:
    """The app's lifespan, with the bot started after it and stopped before it ends."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        async with inner(app) as state:
            await channel.start()
            try:
                yield state
            finally:
                await channel.stop()

    return lifespan
