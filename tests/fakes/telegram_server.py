"""A fake Telegram Bot API server for tests: the real wire protocol on loopback.

python-telegram-bot reaches it through ``Bot(token, base_url=f"{url}/bot")`` exactly
as it reaches api.telegram.org: ``POST /bot<token>/<method>`` with form-encoded
parameters (JSON-encoded values) or a JSON body, answered with
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code", "description",
"parameters"?}``. It checks what the real server checks (token, 4,096-character
text, 1,024-character caption, 1–64-byte callback_data) and can be told to
answer 429 with ``retry_after``, to fail with 500, or to be slow.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

BOT_USERNAME = "yichuang_test_bot"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    answered: int  # the HTTP status the fake gave


@dataclass
class Fault:
    method: str
    status: int
    retry_after: int | None = None


@dataclass
class FakeTelegram:
    """The server's state; tests read ``sent`` (delivered messages) and ``calls`` (every call)."""

    token: str
    calls: list[Call] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    webhook: dict[str, Any] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    #: Seconds to wait before handling each successive send (then 0).
    send_delays: list[float] = field(default_factory=list)
    #: Sends to these chats wait until the event is set (a user whose delivery hangs).
    held_chats: dict[int, threading.Event] = field(default_factory=dict)
    #: Set when a send to a held chat has arrived and is waiting.
    holding: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next_id: int = 1000

    def fail_next(self, method: str, status: int, retry_after: int | None = None) -> None:
        with self._lock:
            self.faults.append(Fault(method, status, retry_after))

    def texts(self, chat_id: int | None = None) -> list[str]:
        """What the user sees, in order: message texts and photo captions."""
        with self._lock:
            return [
                m.get("text") or m.get("caption") or ""
                for m in self.sent
                if chat_id is None or m["chat"]["id"] == chat_id
            ]

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def _fault(self, method: str) -> Fault | None:
        with self._lock:
            for index, fault in enumerate(self.faults):
                if fault.method == method:
                    return self.faults.pop(index)
        return None

    def _record(self, method: str, params: dict[str, Any], status: int) -> None:
        with self._lock:
            self.calls.append(Call(method, params, time.monotonic(), status))

    def _deliver(self, chat_id: int, content: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._next_id += 1
            message = {
                "message_id": self._next_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": 1, "is_bot": True, "first_name": "一窗", "username": BOT_USERNAME},
                **content,
            }
            self.sent.append(message)
            return message


def _error(status: int, description: str, **parameters: Any) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(status_code=status, content=body)


def _ok(result: Any) -> JSONResponse:
    return JSONResponse(content={"ok": True, "result": result})


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def _params(request: Request) -> dict[str, Any]:
    body = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        data = json.loads(body or b"{}")
        return dict(data)
    params: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
        try:
            params[key] = json.loads(value) if key in {"reply_markup", "chat_id"} else value
        except json.JSONDecodeError:
            params[key] = value
    return params


def _check_markup(params: dict[str, Any]) -> JSONResponse | None:
    markup = params.get("reply_markup")
    if not markup:
        return None
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data", "")
            if not 1 <= len(data.encode("utf-8")) <= 64:
                return _error(400, "Bad Request: BUTTON_DATA_INVALID")
    return None


def create_fake_telegram(state: FakeTelegram) -> FastAPI:
    app = FastAPI()

    @app.post("/bot{token}/{method}")
    async def call(token: str, method: str, request: Request) -> JSONResponse:
        params = await _params(request)
        response = await _answer(state, token, method, params)
        state._record(method, params, response.status_code)
        return response

    return app


async def _answer(
    state: FakeTelegram, token: str, method: str, params: dict[str, Any]
) -> JSONResponse:
    if token != state.token:
        return _error(401, "Unauthorized")
    fault = state._fault(method)
    if fault is not None:
        if fault.retry_after is not None:
            return _error(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                retry_after=fault.retry_after,
            )
        return _error(fault.status, "Internal Server Error")
    if method == "getMe":
        return _ok({"id": 1, "is_bot": True, "first_name": "一窗", "username": BOT_USERNAME})
    if method == "setWebhook":
        state.webhook = {"url": params.get("url"), "secret_token": params.get("secret_token")}
        return _ok(True)
    if method == "answerCallbackQuery":
        return _ok(True)
    if method in {"sendMessage", "sendPhoto"}:
        with state._lock:
            delay = state.send_delays.pop(0) if state.send_delays else 0.0
            held = state.held_chats.get(int(params.get("chat_id") or 0))
        await asyncio.sleep(delay)
        if held is not None:
            state.holding.set()
            await asyncio.to_thread(held.wait, 30)
        bad = _check_markup(params)
        if bad is not None:
            return bad
        chat_id = int(params["chat_id"])
        if method == "sendMessage":
            text = str(params.get("text", ""))
            if not text:
                return _error(400, "Bad Request: message text is empty")
            if _utf16(text) > 4096:
                return _error(400, "Bad Request: message is too long")
            content: dict[str, Any] = {"text": text}
        else:
            caption = str(params.get("caption", ""))
            if _utf16(caption) > 1024:
                return _error(400, "Bad Request: message caption is too long")
            content = {
                "photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 1, "height": 1}],
                "photo_url": params.get("photo"),
            }
            if caption:
                content["caption"] = caption
        if params.get("reply_markup"):
            content["reply_markup"] = params["reply_markup"]
        return _ok(state._deliver(chat_id, content))
    return _error(404, "Not Found: method not found")
