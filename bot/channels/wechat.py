"""The WeChat official-account channel: ``GET|POST /webhooks/wechat``.

WeChat gives a passive reply 5 s and then redelivers (three times in all), so a
turn gets ``PASSIVE_SECONDS`` to finish; a slower one is answered ``success``
and its answer goes out later through the customer-service API (客服消息).
Redeliveries are deduped by the conversation store (MsgId per user, or the
event's user+time+kind+key); one user's messages run one after another in
arrival order, different users in parallel. Requests must be signed
(constant-time check), fresh (±300 s) and not replayed (nonce cache); XML
with entity declarations is refused before parsing.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import queue
import struct
import threading
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal
from xml.parsers.expat import ExpatError

import httpx
import xmltodict  # type: ignore[import-untyped]
from fastapi import APIRouter, FastAPI, Request, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from bot import delivery
from bot.channels import wechat_render as render
from bot.conversation import ConversationService
from bot.settings import Settings
from bot.storage import repo
from bot.storage.db import Database
from bot.storage.models import Message

log = logging.getLogger(__name__)

CHANNEL = "wechat"
#: A turn slower than this is answered through 客服消息 (WeChat waits 5 s)...
PASSIVE_SECONDS = 4.0
#: ...or than this, when 客服消息 can be sent: the push is acknowledged within a second
#: and a turn that waits for a slow court API answers a moment later.
PASSIVE_SECONDS_WITH_API = 0.9
#: Turns running at once. A turn waiting for a slow court API holds its worker for up to
#: the court client's 3 s budget; with 16, quick turns of other users queued behind
#: them for up to a second when the court was slow (benchmarks/RESULTS.md).
TURN_WORKERS = 32
#: Requests whose timestamp is further than this from our clock are replays.
REPLAY_WINDOW = 300
MAX_BODY_BYTES = 64 * 1024
#: 客服消息 after a user's message: at most 5 within 48 hours (2023 rule).
WINDOW_SECONDS = 48 * 3600
WINDOW_MESSAGES = 5
#: A turn failed after the message was stored: the recovery pass answers it soon.
RECEIVED = "您的消息已收到，系统正在处理，稍后通过本公众号回复您。"
VOICE_NOT_UNDERSTOOD = "抱歉，我暂时听不懂语音，请用文字发送您的问题。"
IMAGE_NOT_UNDERSTOOD = "已收到图片。我暂时看不懂图片内容，请用文字描述您的问题。"
LOCATION_RECEIVED = "已收到您的位置{label}。我暂时不能按位置查找，请用文字告诉我您要办的事。"
UNSUPPORTED = "抱歉，暂时只能处理文字消息，请用文字发送您的问题。"
#: 客服消息 errors after which a retry cannot help (outside window, quota used up).
FINAL_ERRORS = {45015: "超出 48 小时回复时限或用户已取消关注", 45047: "客服消息条数已用完"}
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
_CRYPTO_ERRORS = (ValueError, TypeError, KeyError, IndexError, struct.error, ExpatError)


class NotStored(Exception):
    """A push failed before it was stored: WeChat must deliver it again."""


class Rejected(Exception):
    """A request that is not WeChat's (or is malformed): an HTTP error with a Chinese reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def sha1_signature(*parts: str) -> str:
    """WeChat's signature: sha1 of the lexicographically sorted parts, joined."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def signature_matches(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


class ReplayGuard:
    """Signature, freshness and nonce checks for every push (wechatpy checks none but the first)."""

    def __init__(self, token: str, clock: Callable[[], float]) -> None:
        self.token = token
        self.clock = clock
        self._seen: OrderedDict[tuple[str, str, str], float] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, signature: str, timestamp: str, nonce: str) -> bool:
        """True for a new request; False for a replay of one seen before. Raises Rejected."""
        if not (signature and timestamp and nonce) or not timestamp.isdigit():
            raise Rejected(403, "缺少签名参数")
        if not signature_matches(sha1_signature(self.token, timestamp, nonce), signature):
            raise Rejected(403, "签名校验失败")
        now = self.clock()
        if abs(now - int(timestamp)) > REPLAY_WINDOW:
            raise Rejected(403, "请求已过期")
        key = (timestamp, nonce, signature)
        with self._lock:
            while self._seen and next(iter(self._seen.values())) < now:
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now + 2 * REPLAY_WINDOW
        return True


class Codec:
    """AES-256-CBC of WeChat's message encryption (safe and compatible modes)."""

    def __init__(self, token: str, encoding_aes_key: str, app_id: str) -> None:
        if len(encoding_aes_key) != 43:
            raise ValueError("EncodingAESKey 必须是 43 个字符")
        try:
            self.key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except ValueError as exc:
            raise ValueError("EncodingAESKey 不是有效的 Base64") from exc
        self.token = token
        self.app_id = app_id

    def _prp(self, random16: bytes | None = None) -> Any:
        from wechatpy.crypto import PrpCrypto  # type: ignore[import-untyped]

        prp = PrpCrypto(self.key)
        if random16 is not None:
            prp.get_random_string = lambda: random16
        return prp

    def encrypt(self, text: str, random16: bytes | None = None) -> str:
        return str(self._prp(random16).encrypt(text, self.app_id).decode("ascii"))

    def decrypt(self, encrypted: str) -> str:
        """The plaintext; Rejected when the ciphertext or its AppId is wrong."""
        from wechatpy.exceptions import InvalidAppIdException  # type: ignore[import-untyped]

        try:
            return str(self._prp().decrypt(encrypted, self.app_id))
        except InvalidAppIdException as exc:
            raise Rejected(403, "消息不属于本公众号") from exc
        except _CRYPTO_ERRORS as exc:
            raise Rejected(400, "消息无法解密") from exc

    def open(self, body: Mapping[str, Any], msg_signature: str, timestamp: str, nonce: str) -> str:
        """Check ``msg_signature`` (constant time) and decrypt the body's ``Encrypt``."""
        encrypted = body.get("Encrypt")
        if not isinstance(encrypted, str) or not encrypted:
            raise Rejected(400, "加密消息缺少 Encrypt")
        expected = sha1_signature(self.token, timestamp, nonce, encrypted)
        if not signature_matches(expected, msg_signature or ""):
            raise Rejected(403, "签名校验失败")
        return self.decrypt(encrypted)

    def seal(self, xml: str, nonce: str, timestamp: str, random16: bytes | None = None) -> str:
        """The encrypted reply envelope WeChat expects in safe mode."""
        encrypted = self.encrypt(xml, random16)
        signature = sha1_signature(self.token, timestamp, nonce, encrypted)
        return (
            f"<xml><Encrypt>{render.cdata(encrypted)}</Encrypt>"
            f"<MsgSignature>{render.cdata(signature)}</MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp><Nonce>{render.cdata(nonce)}</Nonce></xml>"
        )


def parse_xml(text: str) -> dict[str, Any]:
    """The ``<xml>`` element as a dict; entity declarations are refused, never expanded."""
    upper = text.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        raise Rejected(400, "不接受带 DOCTYPE 或实体声明的 XML")
    try:
        data = xmltodict.parse(text, disable_entities=True)
    except (ExpatError, ValueError) as exc:
        raise Rejected(400, "XML 格式不正确") from exc
    root = data.get("xml") if isinstance(data, dict) else None
    if not isinstance(root, dict):
        raise Rejected(400, "XML 格式不正确")
    return root


@dataclass(frozen=True)
class Inbound:
    """What a push means for the assistant."""

    user: str  # FromUserName (the litigant's openid)
    account: str  # ToUserName (our official account)
    external_id: str  # the dedupe key within this user's conversation
    text: str | None  # what to hand to the conversation, if anything
    fixed: str | None  # a fixed answer without a turn (voice, image, location)
    opens_window: bool  # a user action that allows 客服消息 afterwards
    stored_as: str = ""  # a message without text, as the desk's transcript shows it


def _short(value: str) -> str:
    return value if len(value) <= 128 else "h:" + hashlib.sha1(value.encode()).hexdigest()


def interpret(message: Mapping[str, Any]) -> Inbound:
    """Map one decrypted push to a turn, a fixed answer, or nothing."""

    def field_(name: str) -> str:
        value = message.get(name)
        return value.strip() if isinstance(value, str) else ""

    user, account, kind = field_("FromUserName"), field_("ToUserName"), field_("MsgType")
    if not user or not kind:
        raise Rejected(400, "消息缺少 FromUserName 或 MsgType")
    msg_id = field_("MsgId") or field_("MsgID")
    created = field_("CreateTime")
    external = _short(f"msg:{msg_id}" if msg_id else f"{kind}:{created}")
    if kind == "text":
        return Inbound(user, account, external, field_("Content") or " ", None, True)
    if kind == "voice":
        heard = field_("Recognition")
        if heard:
            return Inbound(user, account, external, heard, None, True)
        return Inbound(user, account, external, None, VOICE_NOT_UNDERSTOOD, True, "［语音］")
    if kind == "image":
        return Inbound(user, account, external, None, IMAGE_NOT_UNDERSTOOD, True, "［图片］")
    if kind == "location":
        label = field_("Label")
        answer = LOCATION_RECEIVED.format(label=f"（{label}）" if label else "")
        return Inbound(user, account, external, None, answer, True, f"［位置］{label}")
    if kind == "event":
        event, key = field_("Event").lower(), field_("EventKey")
        external = _short(f"event:{event}:{created}:{key}")
        if event == "subscribe":
            return Inbound(user, account, external, "/greet", None, True)
        if event == "click" and key.startswith("/"):
            return Inbound(user, account, external, key, None, True)
        return Inbound(user, account, external, None, None, False)  # unsubscribe, view, ...
    return Inbound(user, account, external, None, UNSUPPORTED, True, f"［{kind[:20]}消息］")


def last_turn_payloads(session: Session, *, sender_id: str) -> list[str]:
    """Button payloads of the bot's messages since the user's last message, in shown order."""
    conversation = repo.find_conversation(session, channel=CHANNEL, sender_id=sender_id)
    if conversation is None:
        return []
    last_in = (
        select(func.coalesce(func.max(Message.seq), 0))
        .where(Message.conversation_id == conversation.id, Message.direction == "in")
        .scalar_subquery()
    )
    rows = session.scalars(
        select(Message)
        .where(
            Message.conversation_id == conversation.id,
            Message.direction == "out",
            Message.seq > last_in,
        )
        .order_by(Message.seq)
    )
    return [
        str(button["payload"])
        for row in rows
        for button in (row.payload or {}).get("buttons", [])
        if isinstance(button, dict) and "payload" in button
    ]


class WeChatApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code


class WeChatApi:
    """The official-account HTTP API: a cached access_token, 客服消息, the custom menu."""

    def __init__(
        self, settings: Settings, clock: Callable[[], float], client: httpx.Client | None = None
    ) -> None:
        if not settings.wechat_app_id or not settings.wechat_app_secret:
            raise ValueError("需要设置 YICHUANG_WECHAT_APP_ID 和 YICHUANG_WECHAT_APP_SECRET")
        self.app_id, self.secret = settings.wechat_app_id, settings.wechat_app_secret
        base = settings.wechat_api_base_url.rstrip("/") + "/"
        self.client = client or httpx.Client(base_url=base, timeout=10)
        self.clock = clock
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError as exc:
            raise WeChatApiError(-2, f"HTTP {response.status_code}，响应不是 JSON") from exc
        if not isinstance(data, dict):
            raise WeChatApiError(-2, "响应不是 JSON 对象")
        code = int(data.get("errcode") or 0)
        if code:
            raise WeChatApiError(code, str(data.get("errmsg", "")))
        return data

    def token(self) -> str:
        with self._lock:
            if self._token is not None and self._token[1] > self.clock():
                return self._token[0]
            data = self._json(
                self.client.get(
                    "cgi-bin/token",
                    params={
                        "grant_type": "client_credential",
                        "appid": self.app_id,
                        "secret": self.secret,
                    },
                )
            )
            token = str(data["access_token"])
            lifetime = int(data.get("expires_in", 7200))
            self._token = (token, self.clock() + max(lifetime - 300, 60))
            return token

    def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST with the access token; an expired token is fetched again once."""
        for attempt in (1, 2):
            token = self.token()
            response = self.client.post(path, params={"access_token": token}, json=body)
            try:
                return self._json(response)
            except WeChatApiError as exc:
                if exc.code not in TOKEN_ERRORS or attempt == 2:
                    raise
                with self._lock:
                    if self._token is not None and self._token[0] == token:
                        self._token = None
        raise AssertionError("unreachable")

    def send_text(self, openid: str, content: str) -> None:
        self.call(
            "cgi-bin/message/custom/send",
            {"touser": openid, "msgtype": "text", "text": {"content": content}},
        )

    def create_menu(self, menu: dict[str, Any]) -> None:
        self.call("cgi-bin/menu/create", menu)


@dataclass
class _Window:
    opened_at: float
    used: int = 0


class Outbox:
    """客服消息 for stored deliveries (bot.delivery), sent by one thread in order.

    Progress is recorded part by part in the database, so a delivery queued
    twice, or again after a restart, never sends a part twice. The 48-hour
    window opens when the user writes (remembered here, or read from the store
    after a restart); its 5-message count is kept in memory, and WeChat's own
    45047 stops us if a restart made us forget it.
    """

    def __init__(
        self, api: WeChatApi | None, database: Database, clock: Callable[[], float]
    ) -> None:
        self.api = api
        self.database = database
        self.clock = clock
        self._queue: queue.Queue[int | threading.Event | None] = queue.Queue()
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.retry_delays = (0.5, 1.0, 2.0)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="wechat-outbox", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)
            self._thread = None

    def user_wrote(self, openid: str) -> None:
        """A message from the user opens a fresh 48-hour, 5-message window."""
        with self._lock:
            self._windows[openid] = _Window(self.clock())

    def enqueue(self, message_id: int) -> None:
        """Send what is still owed of stored delivery ``message_id``."""
        self.start()
        self._queue.put(message_id)

    def drain(self, timeout: float = 10.0) -> None:
        """Wait until everything queued so far was handled (tests, shutdown)."""
        self.start()
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout)

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if isinstance(item, threading.Event):
                item.set()
                continue
            try:
                self._deliver(item)
            except Exception:  # a store outage: the recovery pass queues it again
                log.exception("wechat: delivery %s failed", item)

    def _deliver(self, message_id: int) -> None:
        with self.database.session(readonly=True) as session:
            found = delivery.load(session, message_id)
            if found is None or found.delivered:
                return
            opened = _last_message_at(session, found.recipient)
        parts = render.split_text(render.render_text(found.replies)) if found.replies else []
        if self.api is None:
            log.warning("wechat: no app credentials, answer %s not sent", message_id)
            self._record(message_id, found.sent_parts, done=True)
            return
        if not parts:
            self._record(message_id, 0, done=True)
        for index, text in delivery.parts_to_send(found, parts):
            outcome = self._send_one(found.recipient, text, opened, message_id)
            if outcome == "failed":
                return  # left owed: the recovery pass queues it again
            if outcome == "final":
                self._record(message_id, index, done=True)
                return
            self._record(message_id, index + 1, done=index + 1 == len(parts))

    def _record(self, message_id: int, sent_parts: int, *, done: bool) -> None:
        with self.database.session() as session:
            delivery.record(session, message_id=message_id, sent_parts=sent_parts, done=done)

    def _take_window(self, openid: str, opened: float | None) -> bool:
        with self._lock:
            window = self._windows.get(openid)
            if window is None and opened is not None:  # after a restart
                window = self._windows[openid] = _Window(opened)
            if window is None or self.clock() - window.opened_at > WINDOW_SECONDS:
                return False
            if window.used >= WINDOW_MESSAGES:
                return False
            window.used += 1
            return True

    def _send_one(self, openid: str, text: str, opened: float | None, label: int) -> str:
        """ "sent", "final" (WeChat refuses for good) or "failed" (worth trying later)."""
        assert self.api is not None
        if not self._take_window(openid, opened):
            log.warning("wechat: 客服消息 window closed or used up, answer %s not sent", label)
            return "final"
        for delay in (*self.retry_delays, None):
            try:
                self.api.send_text(openid, text)
            except WeChatApiError as exc:
                if exc.code in FINAL_ERRORS:
                    log.warning("wechat: %s refused: %s", label, FINAL_ERRORS[exc.code])
                    return "final"
                log.warning("wechat: sending %s failed: %s", label, exc)
            except httpx.HTTPError as exc:
                log.warning("wechat: sending %s failed: %s", label, type(exc).__name__)
            else:
                return "sent"
            if delay is None:
                log.error("wechat: could not send %s now; it stays owed", label)
                return "failed"
            time.sleep(delay)
        return "failed"  # pragma: no cover - the loop returns


def _last_message_at(session: Session, openid: str) -> float | None:
    """When the user last wrote (the start of the 客服消息 window), as a Unix time."""
    conversation = repo.find_conversation(session, channel=CHANNEL, sender_id=openid)
    if conversation is None:
        return None
    last = session.scalar(
        select(func.max(Message.created_at)).where(
            Message.conversation_id == conversation.id, Message.direction == "in"
        )
    )
    return None if last is None else last.timestamp()


class SerialExecutor:
    """Jobs of one key run one after another in submission order; different keys in parallel."""

    def __init__(self, workers: int = TURN_WORKERS) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wechat-turn")
        self._queues: dict[str, deque[Callable[[], None]]] = {}
        self._lock = threading.Lock()

    def submit(self, key: str, job: Callable[[], None]) -> None:
        with self._lock:
            pending = self._queues.get(key)
            if pending is not None:
                pending.append(job)
                return
            self._queues[key] = deque([job])
        self._pool.submit(self._drain, key)

    def _drain(self, key: str) -> None:
        while True:
            with self._lock:
                pending = self._queues[key]
                if not pending:
                    del self._queues[key]
                    return
                job = pending[0]
            try:
                job()
            finally:
                with self._lock:
                    pending.popleft()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)


@dataclass(frozen=True)
class _Outcome:
    """How a turn ended, for whoever delivers it.

    ``send``: this request produced the answer and delivers ``message_id``;
    ``none``: nothing to send (a redelivery, or a person owns the chat);
    ``owed``: the turn failed after the message was stored (the recovery pass answers);
    ``lost``: the message never reached the store (answer non-2xx: WeChat retries).
    """

    kind: Literal["send", "none", "owed", "lost"]
    message_id: int | None = None


@dataclass
class _Turn:
    """One push being answered: the HTTP request and the worker agree who delivers."""

    inbound: Inbound
    future: Future[_Outcome] = field(default_factory=Future)
    lock: threading.Lock = field(default_factory=threading.Lock)
    delivery: str = "pending"  # pending -> passive (HTTP response) | later (客服消息)


class WeChatChannel:
    """Everything the webhook needs, created once per app by ``register``."""

    def __init__(
        self,
        settings: Settings,
        conversations: ConversationService,
        *,
        passive_seconds: float = PASSIVE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not settings.wechat_token:
            raise ValueError("YICHUANG_WECHAT_TOKEN 未设置")
        self.conversations = conversations
        self.guard = ReplayGuard(settings.wechat_token, clock)
        self.codec = (
            Codec(settings.wechat_token, settings.wechat_aes_key, settings.wechat_app_id or "")
            if settings.wechat_aes_key
            else None
        )
        api = WeChatApi(settings, clock) if settings.wechat_app_id else None
        self.outbox = Outbox(
            api if settings.wechat_app_secret else None, conversations.database, clock
        )
        self.passive_seconds = passive_seconds
        self.clock = clock
        self.turns = SerialExecutor()

    def start_turn(self, inbound: Inbound) -> _Turn:
        turn = _Turn(inbound)
        if inbound.opens_window:
            self.outbox.user_wrote(inbound.user)
        self.turns.submit(inbound.user, lambda: self._run_turn(turn))
        return turn

    def _run_turn(self, turn: _Turn) -> None:
        try:
            outcome = self._answer(turn.inbound)
        except Exception:
            log.exception("wechat: turn failed for %s", turn.inbound.external_id)
            # Stored means owed: the recovery pass answers it through 客服消息.
            outcome = _Outcome("owed" if self._stored(turn.inbound) else "lost")
        with turn.lock:
            turn.future.set_result(outcome)
            later = turn.delivery == "later"
        if later and outcome.message_id is not None:
            self.outbox.enqueue(outcome.message_id)  # too slow for the passive reply

    def _answer(self, inbound: Inbound) -> _Outcome:
        """Run the turn; the delivery to send when this call produced the answer."""
        if inbound.text is None:
            replies = self.conversations.handle_fixed(
                channel=CHANNEL,
                sender_id=inbound.user,
                text=inbound.stored_as,
                answer=inbound.fixed or "",
                external_id=inbound.external_id,
            )
        else:
            text = inbound.text
            number = render.choice_number(text)
            if number is not None:
                with self.conversations.database.session() as session:
                    payloads = last_turn_payloads(session, sender_id=inbound.user)
                if 1 <= number <= len(payloads):
                    text = payloads[number - 1]
            replies = self.conversations.handle(
                channel=CHANNEL, sender_id=inbound.user, text=text, external_id=inbound.external_id
            )
        if not replies:  # answered before (a redelivery), or a person owns the chat
            return _Outcome("none")
        with self.conversations.database.session(readonly=True) as session:
            found = delivery.for_inbound(
                session, channel=CHANNEL, sender_id=inbound.user, external_id=inbound.external_id
            )
            earlier = [] if found is None else delivery.earlier_owed(session, found.message_id)
        if found is None:
            return _Outcome("none")
        if earlier:  # older answers still to send: this one queues behind them, in order
            for message_id in [*earlier, found.message_id]:
                self.outbox.enqueue(message_id)
            return _Outcome("none")
        return _Outcome("send", found.message_id)

    def _stored(self, inbound: Inbound) -> bool:
        try:
            with self.conversations.database.session(readonly=True) as session:
                return (
                    delivery.for_inbound(
                        session,
                        channel=CHANNEL,
                        sender_id=inbound.user,
                        external_id=inbound.external_id,
                    )
                    is not None
                )
        except Exception:  # the store itself is down: WeChat must retry
            return False

    async def answer_within_deadline(self, turn: _Turn) -> str | None:
        """The passive reply's text, or None for ``success`` (客服消息 follows, if anything).

        Raises NotStored when the message never reached the store, so the
        webhook answers non-2xx and WeChat retries.
        """
        wrapped = asyncio.wrap_future(turn.future)
        await asyncio.wait([wrapped], timeout=self.passive_seconds)
        with turn.lock:
            if turn.future.done() and turn.delivery == "pending":
                turn.delivery = "passive"
                outcome = turn.future.result()
            else:
                turn.delivery = "later"
                return None
        if outcome.kind == "lost":
            raise NotStored(turn.inbound.external_id)
        if outcome.kind == "owed":
            return RECEIVED
        if outcome.message_id is None:
            return None
        return await run_in_threadpool(self._passive_part, outcome.message_id)

    def _passive_part(self, message_id: int) -> str | None:
        """The first unsent part, recorded as sent; the rest goes to the outbox."""
        with self.conversations.database.session() as session:
            found = delivery.load(session, message_id)
            if found is None or found.delivered:
                return None
            parts = render.split_text(render.render_text(found.replies))
            owed = delivery.parts_to_send(found, parts)
            if not owed:
                delivery.record(session, message_id=message_id, sent_parts=0, done=True)
                return None
            index, text = owed[0]
            delivery.record(
                session, message_id=message_id, sent_parts=index + 1, done=index + 1 == len(parts)
            )
        if index + 1 < len(parts):
            self.outbox.enqueue(message_id)  # beyond 2,048 bytes
        return str(text)

    def shutdown(self) -> None:
        self.turns.shutdown()
        self.outbox.stop()


def _plain(text: str, status: int = 200) -> Response:
    return Response(content=text, status_code=status, media_type="text/plain; charset=utf-8")


def wechat_router(settings: Settings) -> APIRouter:
    """The webhook; the channel object is ``app.state.wechat`` (see ``register``)."""
    router = APIRouter()

    @router.get("/webhooks/wechat")
    def verify(request: Request) -> Response:
        """WeChat's URL check: echo ``echostr`` when the signature is ours."""
        channel: WeChatChannel = request.app.state.wechat
        q = request.query_params
        try:
            channel.guard.check(q.get("signature", ""), q.get("timestamp", ""), q.get("nonce", ""))
        except Rejected as exc:
            return _plain(exc.message, exc.status)
        return _plain(q.get("echostr", ""))

    @router.post("/webhooks/wechat")
    async def receive(request: Request) -> Response:
        channel: WeChatChannel = request.app.state.wechat
        q = request.query_params
        timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
        try:
            body = await request.body()
            if len(body) > MAX_BODY_BYTES:
                raise Rejected(413, "消息过大")
            if not channel.guard.check(q.get("signature", ""), timestamp, nonce):
                return _plain("success")  # a replayed request: no effect, nothing to say
            try:
                outer = parse_xml(body.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise Rejected(400, "消息不是 UTF-8 编码") from exc
            encrypted = q.get("encrypt_type", "raw").lower() == "aes"
            if encrypted:
                if channel.codec is None:
                    raise Rejected(400, "未配置 EncodingAESKey，无法解密")
                inner = channel.codec.open(outer, q.get("msg_signature", ""), timestamp, nonce)
                message = parse_xml(inner)
            else:
                message = outer
            inbound = interpret(message)
        except Rejected as exc:
            log.warning("wechat: rejected push: %s", exc.message)
            return _plain(exc.message, exc.status)
        if inbound.text is None and inbound.fixed is None:
            return _plain("success")
        try:
            answer = await channel.answer_within_deadline(channel.start_turn(inbound))
        except NotStored:
            return _plain("系统繁忙，请稍后重试", 503)  # WeChat delivers the push again
        if answer is None:
            return _plain("success")
        xml = render.text_reply_xml(
            to_user=inbound.user,
            from_user=inbound.account,
            content=answer,
            create_time=int(channel.clock()),
        )
        if encrypted and channel.codec is not None:
            xml = channel.codec.seal(xml, nonce, str(int(channel.clock())))
        return Response(content=xml, media_type="application/xml; charset=utf-8")

    return router


def passive_budget(settings: Settings) -> float:
    """Seconds a push waits for its passive reply (``YICHUANG_WECHAT_PASSIVE_SECONDS``)."""
    if settings.wechat_passive_seconds is not None:
        return settings.wechat_passive_seconds
    can_push = bool(settings.wechat_app_id and settings.wechat_app_secret)
    return PASSIVE_SECONDS_WITH_API if can_push else PASSIVE_SECONDS


def register(
    app: FastAPI,
    settings: Settings,
    *,
    passive_seconds: float | None = None,
    clock: Callable[[], float] = time.time,
) -> None:
    """Mount the WeChat channel when ``YICHUANG_WECHAT_TOKEN`` is set; stop its workers at exit."""
    if not settings.wechat_token:
        return
    if passive_seconds is None:
        passive_seconds = passive_budget(settings)
    channel = WeChatChannel(
        settings, app.state.conversations, passive_seconds=passive_seconds, clock=clock
    )
    app.state.wechat = channel
    app.include_router(wechat_router(settings))
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with inner(application) as state:
            channel.outbox.start()
            try:
                yield state
            finally:
                channel.shutdown()

    app.router.lifespan_context = lifespan
