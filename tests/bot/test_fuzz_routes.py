"""Fuzzing every HTTP route of a real server: no 5xx but the designed 503, no dropped connection.

The routes come from the app's own OpenAPI document (so a new route is fuzzed the
day it is added) plus the pages and webhooks it leaves out. Hypothesis draws the
path parameters, query strings, headers and bodies — huge and negative numbers,
NUL bytes, deep and wrongly typed JSON, button payloads with hostile slots — and
every request goes over one keep-alive connection, logged in as a desk admin or
not, with the Telegram secret or not. A 503 must carry ``Retry-After`` (the store
is unavailable: the only 5xx the app answers by design).

Example counts are bounded and the search is derandomised, so ``make test``
runs the same requests every time and stays quick.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.desk.accounts import add_staff
from bot.serving import free_port, serve_in_thread
from bot.settings import Settings
from tests.databases import app_database_url
from tests.fakes.telegram_server import FakeTelegram, create_fake_telegram


def _words(text: str) -> list[str]:
    return text.split()


CONFIG = Path(__file__).parents[2] / "config"
TELEGRAM_TOKEN = "123456:fuzz-token"
TELEGRAM_SECRET = "fuzz-secret"
WECHAT_TOKEN = "fuzz-wechat-token"
PASSWORD = "fuzz-desk-password"
#: Routes that stream or end the fuzzer's own session: requested once, by hand, not drawn.
NOT_DRAWN = {("GET", "/desk/events"), ("POST", "/desk/logout")}
#: Pages and webhooks the OpenAPI document leaves out (include_in_schema=False).
EXTRA_ROUTES = [
    ("GET", "/"),
    ("GET", "/static/{name}"),
    ("GET", "/desk"),
    ("GET", "/desk/login"),
    ("GET", "/webhooks/wechat"),
    ("POST", "/webhooks/wechat"),
    ("POST", "/webhooks/telegram/webhook"),
]
#: Field names the app's bodies use, so drawn objects often reach the validators.
FIELD_NAMES = _words(
    "sender message metadata message_id text to username password role title hours "
    "days update_id chat id from callback_query data amount fee_kind date case_number "
    "proof"
)
INTENTS = _words(
    "fee_calculation appeal case_status case_payment pleading_template "
    "enforcement_application retrial_application file_civil_case"
)
#: The slots the flows read from a payload, with values of the right type gone wrong.
SLOT_NAMES = _words(
    "amount fee_kind case_category date deadline_kind case_number template flow section procedure"
)
HOSTILE_VALUES = [
    "1e309",
    "-1e309",
    "1e20",
    "-5",
    "0",
    "9" * 30,
    "NaN",
    "Infinity",
    "",
    "none",
    "property",
    "divorce",
    "99999-01-01",
    "2026-13-45",
    "0000-00-00",
    10**30,
    -(10**20),
    1.5e308,
    True,
    {"a": [1]},
    [1, 2],
    None,
]


@dataclass
class Target:
    url: str
    routes: list[tuple[str, str]]
    admin: httpx.Client
    anonymous: httpx.Client


def _routes(app: Any) -> list[tuple[str, str]]:
    """Every (method, path template) the server answers, minus the ones not drawn."""
    found = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    found.update(EXTRA_ROUTES)
    return sorted(found - NOT_DRAWN)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory, model_path: Path) -> Iterator[Target]:
    tmp_path = tmp_path_factory.mktemp("fuzz")
    fake = FakeTelegram(token=TELEGRAM_TOKEN)
    with serve_in_thread(create_fake_telegram(fake)) as fake_url:
        port = free_port()
        app_settings = Settings(
            database_url=app_database_url(tmp_path, "fuzz.db"),
            nlu_model_path=model_path,
            config_dir=CONFIG,
            local_url=f"http://127.0.0.1:{port}",
            public_base_url=f"http://127.0.0.1:{port}",
            business_hours="Mon-Sun 00:00-23:59",
            telegram_token=TELEGRAM_TOKEN,
            telegram_webhook_secret=TELEGRAM_SECRET,
            telegram_api_base_url=f"{fake_url}/bot",
            wechat_token=WECHAT_TOKEN,
            recovery_interval_seconds=0,
            purge_interval_hours=0,
            _env_file=None,  # type: ignore[call-arg]
        )
        app = create_app(app_settings)
        with app.state.db.session() as session:
            add_staff(session, "fuzzadmin", PASSWORD, "admin")
        with serve_in_thread(app, port=port) as url:
            admin = httpx.Client(base_url=url, timeout=30)
            login = admin.post("/desk/login", json={"username": "fuzzadmin", "password": PASSWORD})
            assert login.status_code == 200, login.text
            admin.headers["X-CSRF-Token"] = login.json()["csrf_token"]
            anonymous = httpx.Client(base_url=url, timeout=30)
            try:
                yield Target(url, _routes(app), admin, anonymous)
            finally:
                admin.close()
                anonymous.close()


# --- What hypothesis draws ---------------------------------------------------------

_numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, -1, 2**31 - 1, 2**31, 2**63, 10**20, 10**30]),
)
_texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "\x00",
            "a\x00b",
            "你好",
            "1e309",
            "NaN",
            "-5万",
            "9999999999999999999元",
            "../..",
            "%00",
            "（2025）内0602民初1234号",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
        ]
    ),
)
_scalars = st.one_of(
    st.none(), st.booleans(), _numbers, st.floats(allow_nan=False, allow_infinity=False), _texts
)
_json = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=8)), children, max_size=5
        ),
    ),
    max_leaves=12,
)


@st.composite
def _payload_message(draw: st.DrawFn) -> str:
    """A button payload (``/intent{json}``) with slots of any type and size."""
    intent = draw(st.sampled_from(INTENTS))
    values = st.one_of(st.sampled_from(HOSTILE_VALUES), _json)
    slots = draw(st.dictionaries(st.sampled_from(SLOT_NAMES), values, max_size=3))
    return f"/{intent}{json.dumps(slots, ensure_ascii=False)}"


_messages = st.one_of(
    _texts,
    _payload_message(),
    st.builds(lambda n, unit: f"{n}{unit}", _numbers, st.sampled_from(["元", "万", "万元", "块"])),
    st.sampled_from(
        ["诉讼费多少", "判决书哪天收到的", "查案件", "转人工", "删除我的记录", "确认删除"]
    ),
    st.builds(
        lambda lead, amount: f"{lead}{amount}",
        st.sampled_from(["标的", "借款", "离婚 财产"]),
        st.sampled_from(["1e309元", "1e20元", "-5万", "9999999999999999999元", "9" * 30]),
    ),
)


def _deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


_bodies = st.one_of(
    st.none(),
    _json.map(lambda value: json.dumps(value).encode()),
    st.builds(
        lambda sender, message, meta: json.dumps(
            {"sender": sender, "message": message, "metadata": meta}
        ).encode(),
        _texts,
        _messages,
        _json,
    ),
    st.binary(max_size=64),
    st.sampled_from([_deep(100_000), b"<xml><ToUserName>" * 50, b"\xff\xfe", b"{" * 5000]),
)
_path_values = st.one_of(
    _numbers.map(str),
    st.text(alphabet=string.ascii_letters + string.digits + "-_.~%", min_size=1, max_size=30),
)


@st.composite
def _request(draw: st.DrawFn, routes: list[tuple[str, str]]) -> dict[str, Any]:
    method, template = draw(st.sampled_from(routes))
    path = re.sub(r"\{[^}]+\}", lambda _m: draw(_path_values), template)
    query = draw(
        st.dictionaries(
            st.sampled_from(
                [
                    "sender",
                    "after",
                    "days",
                    "v",
                    "signature",
                    "timestamp",
                    "nonce",
                    "echostr",
                    "openid",
                    "encrypt_type",
                    "msg_signature",
                    "q",
                ]
            ),
            st.one_of(_numbers.map(str), _texts.map(lambda t: t.replace("\x00", "%00"))),
            max_size=4,
        )
    )
    headers: dict[str, str] = {}
    if draw(st.booleans()):
        headers["Content-Type"] = draw(
            st.sampled_from(["application/json", "text/xml", "application/x-www-form-urlencoded"])
        )
    if draw(st.booleans()):
        headers["X-Telegram-Bot-Api-Secret-Token"] = TELEGRAM_SECRET
    if draw(st.booleans()):
        headers["X-Forwarded-For"] = draw(st.sampled_from(["203.0.113.9", "10.0.0.1, 1.2.3.4"]))
    return {
        "method": method,
        "url": path,
        "params": query,
        "headers": headers,
        "content": draw(_bodies) if method in ("POST", "PUT", "PATCH", "DELETE") else None,
        "as_admin": draw(st.booleans()),
    }


def _assert_designed(response: httpx.Response, described: str) -> None:
    if response.status_code == 503:
        assert "Retry-After" in response.headers, described
        return
    assert response.status_code < 500, f"{described} -> {response.status_code} {response.text}"


FUZZ = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(data=st.data())
def test_no_route_answers_5xx(target: Target, data: st.DataObject) -> None:
    request = data.draw(_request(target.routes))
    client = target.admin if request.pop("as_admin") else target.anonymous
    described = f"{request['method']} {request['url']} {request['params']}"
    response = client.request(**request)
    _assert_designed(response, described)


@FUZZ
@given(message=_messages, metadata=_json)
def test_no_message_crashes_a_turn(target: Target, message: str, metadata: Any) -> None:
    """Whatever a litigant types or a client sends as a button, the turn answers.

    Each example is a new litigant: one who asked for a person gets no bot answers.
    """
    body = {"sender": f"fuzz-{uuid.uuid4().hex}", "message": message, "metadata": metadata}
    response = target.anonymous.post("/webhooks/rest/webhook", json=body)
    _assert_designed(response, repr(message))


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(update=_json, text=_messages, chat=st.integers(min_value=1, max_value=2**40))
def test_no_telegram_update_crashes_the_webhook(
    target: Target, update: Any, text: str, chat: int
) -> None:
    """Telegram retries whatever does not get 200: a bad update is answered and ignored."""
    shaped = {
        "update_id": chat,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": chat, "type": "private"},
            "text": text,
        },
    }
    for body in (update, shaped):
        response = target.anonymous.post(
            "/webhooks/telegram/webhook",
            json=body,
            headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
        )
        _assert_designed(response, repr(body)[:200])


def _wechat_query(timestamp: str = "1700000000", nonce: str = "fuzz") -> dict[str, str]:
    signature = hashlib.sha1("".join(sorted([WECHAT_TOKEN, timestamp, nonce])).encode())
    return {"signature": signature.hexdigest(), "timestamp": timestamp, "nonce": nonce}


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    fields=st.dictionaries(
        st.sampled_from(
            [
                "ToUserName",
                "FromUserName",
                "CreateTime",
                "MsgType",
                "Content",
                "MsgId",
                "Event",
                "EventKey",
                "Recognition",
                "PicUrl",
            ]
        ),
        _texts.map(lambda t: t.replace("\x00", "")),
        max_size=7,
    )
)
def test_no_signed_wechat_push_crashes_the_webhook(target: Target, fields: dict[str, str]) -> None:
    """A correctly signed push with any fields is answered (WeChat retries a 5xx)."""
    inner = "".join(f"<{k}><![CDATA[{v.replace(']]>', '')}]]></{k}>" for k, v in fields.items())
    response = target.anonymous.post(
        "/webhooks/wechat",
        params=_wechat_query(),
        content=f"<xml>{inner}</xml>".encode(),
        headers={"Content-Type": "text/xml"},
    )
    _assert_designed(response, repr(fields))


def test_the_event_stream_and_logout_answer(target: Target) -> None:
    """The two routes the fuzzer does not draw, requested once each."""
    with target.anonymous.stream("GET", "/desk/events") as response:
        assert response.status_code == 401
    response = target.anonymous.post("/desk/logout")
    _assert_designed(response, "POST /desk/logout")
