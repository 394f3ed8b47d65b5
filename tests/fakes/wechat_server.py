"""A fake WeChat platform for tests: pushes signed/encrypted as WeChat does, and its API.

The API side serves ``cgi-bin/token``, ``cgi-bin/message/custom/send`` and
``cgi-bin/menu/create|get`` with WeChat's error codes: 40001 (invalid or
expired access_token), 45015 (outside the 48-hour window), 45047 (more than 5
客服消息 since the user's last message). The push side builds the URL query
and body of plain, compatible and safe mode exactly like WeChat, and reads
(decrypting when needed) the passive reply.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import xmltodict
from fastapi import FastAPI, Request

from bot.channels.wechat import Codec, sha1_signature


@dataclass
class Sent:
    touser: str
    content: str
    at: float = field(default_factory=time.time)  # when the platform took it


@dataclass
class FakeWeChat:
    token: str
    app_id: str
    app_secret: str
    aes_key: str | None = None
    account: str = "gh_court0001"
    sent: list[Sent] = field(default_factory=list)
    token_calls: int = 0
    menus: list[dict[str, Any]] = field(default_factory=list)
    _tokens: set[str] = field(default_factory=set)
    _windows: dict[str, tuple[float, int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- the API WeChat serves ---------------------------------------------------------

    def app(self) -> FastAPI:
        api = FastAPI()

        @api.get("/cgi-bin/token")
        def token(grant_type: str, appid: str, secret: str) -> dict[str, Any]:
            with self._lock:
                self.token_calls += 1
                if appid != self.app_id or secret != self.app_secret:
                    return {"errcode": 40013, "errmsg": "invalid appid"}
                issued = secrets.token_hex(16)
                self._tokens.add(issued)
            return {"access_token": issued, "expires_in": 7200}

        @api.post("/cgi-bin/message/custom/send")
        async def custom_send(request: Request, access_token: str = "") -> dict[str, Any]:
            body = await request.json()
            with self._lock:
                if access_token not in self._tokens:
                    return {"errcode": 40001, "errmsg": "invalid credential, access_token"}
                user = body["touser"]
                window = self._windows.get(user)
                if window is None or time.time() - window[0] > 48 * 3600:
                    return {"errcode": 45015, "errmsg": "response out of time limit"}
                if window[1] >= 5:
                    return {"errcode": 45047, "errmsg": "out of response count limit"}
                self._windows[user] = (window[0], window[1] + 1)
                self.sent.append(Sent(user, body["text"]["content"]))
            return {"errcode": 0, "errmsg": "ok"}

        @api.post("/cgi-bin/menu/create")
        async def menu_create(request: Request, access_token: str = "") -> dict[str, Any]:
            if access_token not in self._tokens:
                return {"errcode": 40001, "errmsg": "invalid credential, access_token"}
            self.menus.append(await request.json())
            return {"errcode": 0, "errmsg": "ok"}

        return api

    def open_window(self, user: str) -> None:
        """The user just sent a message: 5 客服消息 allowed in the next 48 hours."""
        with self._lock:
            self._windows[user] = (time.time(), 0)

    def expire_tokens(self) -> None:
        """WeChat invalidates tokens (e.g. another server fetched a new one)."""
        with self._lock:
            self._tokens.clear()

    def sent_to(self, user: str) -> list[str]:
        with self._lock:
            return [s.content for s in self.sent if s.touser == user]

    # -- pushes WeChat sends -----------------------------------------------------------

    def text_xml(self, user: str, content: str, msg_id: str, create_time: int) -> str:
        return (
            f"<xml><ToUserName><![CDATA[{self.account}]]></ToUserName>"
            f"<FromUserName><![CDATA[{user}]]></FromUserName>"
            f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
        )

    def push(
        self,
        url: str,
        xml: str,
        *,
        user: str | None = None,
        mode: str = "plain",
        timestamp: int | None = None,
        nonce: str | None = None,
    ) -> httpx.Response:
        """POST ``xml`` to the webhook as WeChat would in ``mode`` (plain, compat, safe)."""
        ts = str(timestamp if timestamp is not None else int(time.time()))
        nonce = nonce or str(secrets.randbelow(10**10))
        if user is not None:  # a user's message opens the 客服消息 window
            self.open_window(user)
        params = {"signature": sha1_signature(self.token, ts, nonce), "timestamp": ts}
        params["nonce"] = nonce
        if user is not None:
            params["openid"] = user
        body = xml
        if mode != "plain":
            assert self.aes_key is not None
            encrypted = Codec(self.token, self.aes_key, self.app_id).encrypt(xml)
            params["encrypt_type"] = "aes"
            params["msg_signature"] = sha1_signature(self.token, ts, nonce, encrypted)
            envelope = f"<Encrypt><![CDATA[{encrypted}]]></Encrypt>"
            if mode == "compat":
                body = xml.replace("</xml>", envelope + "</xml>")
            else:
                body = f"<xml><ToUserName><![CDATA[{self.account}]]></ToUserName>{envelope}</xml>"
        return httpx.post(
            f"{url}/webhooks/wechat",
            params=params,
            content=body.encode("utf-8"),
            headers={"Content-Type": "text/xml"},
            timeout=30,
        )

    def read_reply(self, response: httpx.Response) -> dict[str, Any] | None:
        """The passive reply as a dict (decrypted when encrypted); None for success/empty."""
        assert response.status_code == 200, response.text
        if response.text in ("success", ""):
            return None
        reply: dict[str, Any] = xmltodict.parse(response.text)["xml"]
        if "Encrypt" in reply:
            assert self.aes_key is not None
            expected = sha1_signature(
                self.token, reply["TimeStamp"], reply["Nonce"], reply["Encrypt"]
            )
            assert reply["MsgSignature"] == expected
            inner = Codec(self.token, self.aes_key, self.app_id).decrypt(reply["Encrypt"])
            reply = xmltodict.parse(inner)["xml"]
        return reply


def msg_id(seed: str) -> str:
    """A 19-digit MsgId like WeChat's, stable for a seed."""
    return str(int(hashlib.sha1(seed.encode()).hexdigest(), 16) % 10**19)
