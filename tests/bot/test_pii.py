"""Personal numbers typed on any channel never reach a log line or a database column verbatim.

The ID and mobile numbers of channels.md §5.4 go through the web chat (REST),
WeChat and Telegram, into a handoff and its call-back number, and through a
turn that crashes with the text in its exception; then every log line (JSON,
as ``yichuang serve --json`` writes them) and every column of every table is
searched for them.
"""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import MetaData, select

from bot.app import create_app
from bot.logs import logging_config
from bot.serving import free_port, serve_in_thread
from tests.bot.channels.test_telegram import SECRET, TOKEN
from tests.bot.channels.test_telegram import Live as TelegramLive
from tests.bot.channels.wechat_live import Live as WeChatLive
from tests.bot.rest_live import live_settings
from tests.bot.test_recovery import break_turns, recover
from tests.fakes.telegram_server import FakeTelegram, create_fake_telegram
from tests.fakes.wechat_server import FakeWeChat, msg_id

#: GB 11643 examples (18 digits, checksum-valid), a 15-digit pre-1999 ID, mobiles.
SECRETS = [
    "11010519491231002X",
    "440524188001010014",
    "51343620000320711X",
    "370101190102039973",
    "110105491231002",
    "13800138000",
    "18012341999",
    "180 1234 1999",
    "139-0000-1111",
]
MESSAGES = [
    "我的身份证号是11010519491231002X，电话13800138000，帮我查下案子",
    "身份证 440524188001010014 手机 180 1234 1999",
    "老身份证110105491231002 我要转人工",
    "我的电话是139-0000-1111，请回电",
    "51343620000320711X和370101190102039973是我俩的身份证",
]


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Logging configured exactly as ``serve --json`` does, written to a buffer."""
    buffer = io.StringIO()
    config = logging_config("DEBUG", as_json=True)
    config["handlers"]["main"]["stream"] = buffer
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    uvicorn = {n: logging.getLogger(n) for n in ("uvicorn", "uvicorn.error", "uvicorn.access")}
    saved_uvicorn = {n: (lg.handlers[:], lg.level, lg.propagate) for n, lg in uvicorn.items()}
    logging.config.dictConfig(config)
    yield buffer
    root.handlers[:], root.level = saved[0], saved[1]
    for name, (handlers, level, propagate) in saved_uvicorn.items():
        uvicorn[name].handlers[:] = handlers
        uvicorn[name].setLevel(level)
        uvicorn[name].propagate = propagate


#: The one column that keeps a number in full: the call-back number a queued litigant
#: left for staff to ring (the feature needs the digits; shown masked outside the chat).
CALLBACK_PHONE = ("callbacks", "phone")


def all_stored_text(app: Any) -> str:
    """Every value of every column of every table (but the call-back number), as text."""
    engine = app.state.db.engine
    metadata = MetaData()
    metadata.reflect(engine)
    parts: list[str] = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if (table.name, c.name) != CALLBACK_PHONE]
            for row in connection.execute(select(*columns)):
                parts.extend(json.dumps(v, ensure_ascii=False, default=str) for v in row)
    return "\n".join(parts)


def test_personal_numbers_reach_no_log_and_no_column_on_any_channel(
    tmp_path: Path, model_path: Path, captured_logs: io.StringIO
) -> None:
    wechat = FakeWeChat(token="court-token", app_id="wx2c2769f8efd9abc2", app_secret="s3cret")
    telegram = FakeTelegram(token=TOKEN)
    with (
        serve_in_thread(wechat.app()) as wechat_api,
        serve_in_thread(create_fake_telegram(telegram)) as telegram_api,
    ):
        port = free_port()
        settings = live_settings(tmp_path, model_path, port).model_copy(
            update={
                "wechat_token": "court-token",
                "wechat_app_id": "wx2c2769f8efd9abc2",
                "wechat_app_secret": "s3cret",
                "wechat_api_base_url": wechat_api + "/",
                "telegram_token": TOKEN,
                "telegram_webhook_secret": SECRET,
                "telegram_api_base_url": f"{telegram_api}/bot",
            }
        )
        app = create_app(settings)
        with serve_in_thread(app, port=port) as url:
            on_wechat = WeChatLive(url, wechat, settings, app)
            on_telegram = TelegramLive(url, telegram, app)
            for index, text in enumerate(MESSAGES):
                body = {"sender": "pii-web", "message": text}
                assert httpx.post(f"{url}/webhooks/rest/webhook", json=body).status_code == 200
                on_wechat.say("o-pii-user", text, msg_id(f"pii{index}"), create_time=0)
                on_telegram.say(text)
            break_turns(app, times=1)  # a crash quoting the message in its exception
            crash = {"sender": "pii-crash", "message": MESSAGES[0]}
            assert httpx.post(f"{url}/webhooks/rest/webhook", json=crash).status_code == 500
            # Until the recovery pass answers it, the crashed message keeps its raw text
            # (so the turn can run again); answered, only the masked copy remains.
            app.state.recovery.grace *= 0
            assert recover(app).answered == 1
            stored = all_stored_text(app)
    logs = captured_logs.getvalue()
    assert "Traceback" in logs and "request_id" in logs  # the crash was logged, with its request
    assert "mid-turn on '我的身份证号是110105********002X" in logs  # masked inside the traceback
    for secret in SECRETS:
        assert secret not in logs, f"{secret} in the logs"
        assert secret not in stored, f"{secret} in the database"
    assert "138****8000" in stored  # masked, still recognisable to staff
