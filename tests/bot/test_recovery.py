"""Nothing is lost: a message stored before its turn failed is answered when the worker recovers.

Each test breaks a turn or a platform the way production breaks (an exception
after the message was stored, a Bot API that is down) and checks what the
litigant ends up seeing: exactly one answer, sent once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import create_app
from bot.channels.telegram import register as register_telegram
from bot.conversation import GAVE_UP
from bot.recovery import Report
from bot.serving import free_port, serve_in_thread
from bot.storage import repo
from tests.bot.channels.test_telegram import Live as TelegramLive
from tests.bot.channels.test_telegram import tg_settings
from tests.bot.channels.wechat_live import live_wechat
from tests.bot.rest_live import Live, live_settings
from tests.fakes.telegram_server import FakeTelegram, create_fake_telegram
from tests.fakes.wechat_server import msg_id


class Crash(RuntimeError):
    """Stands for whatever kills a turn after its message was stored."""


def break_turns(app: Any, times: int | None) -> None:
    """Make the next ``times`` turns raise (None: every turn)."""
    engine = app.state.conversations.engine
    real = engine.turn
    left = [times]

    def turn(*args: Any, **kwargs: Any) -> Any:
        if left[0] is None or left[0] > 0:
            if left[0] is not None:
                left[0] -= 1
            parse = args[1] if len(args) > 1 else kwargs.get("parse", {})
            raise Crash(f"the worker died mid-turn on {parse.get('text')!r}")
        return real(*args, **kwargs)

    engine.turn = turn


def recover(app: Any) -> Report:
    report: Report = asyncio.run(app.state.recovery.run_once())
    return report


def pulled(url: str, sender: str) -> list[str]:
    response = httpx.get(f"{url}/webhooks/rest/messages", params={"sender": sender}, timeout=10)
    return [m.get("text", "") for m in response.json()]


@pytest.fixture
def rest(tmp_path: Path, model_path: Path) -> Iterator[tuple[Live, Any]]:
    port = free_port()
    settings = live_settings(tmp_path, model_path, port).model_copy(
        update={"recovery_interval_seconds": 0, "recovery_grace_seconds": 0}
    )
    app = create_app(settings)
    with serve_in_thread(app, port=port) as url:
        yield Live(url, settings), app


def test_web_chat_message_whose_turn_crashed_is_answered_by_the_recovery_pass(
    rest: tuple[Live, Any],
) -> None:
    live, app = rest
    break_turns(app, times=1)
    response = httpx.post(
        f"{live.url}/webhooks/rest/webhook",
        json={"sender": "r1", "message": "诉讼费怎么算"},
        timeout=30,
    )
    assert response.status_code == 500 and "系统出了点问题" in response.json()["message"]
    assert pulled(live.url, "r1") == []  # stored, not answered yet
    assert recover(app).answered == 1
    (answer,) = pulled(live.url, "r1")
    assert "哪一类" in answer
    assert recover(app) == Report()  # answered once, never again


def test_a_message_that_keeps_failing_goes_to_the_desk_with_an_apology(
    rest: tuple[Live, Any],
) -> None:
    live, app = rest
    break_turns(app, times=None)
    httpx.post(f"{live.url}/webhooks/rest/webhook", json={"sender": "r2", "message": "你好"})
    reports = [recover(app) for _ in range(3)]
    assert [r.given_up for r in reports] == [0, 0, 1]
    assert pulled(live.url, "r2") == [GAVE_UP]
    with app.state.db.session(readonly=True) as session:
        found = repo.find_conversation(session, channel="rest", sender_id="r2")
        assert found is not None and found.status == "handoff"
        assert found.handoff_reason == "system_error"
        assert repo.transcript(session, conversation_id=found.id)[0].pending_text is None


def test_wechat_turn_that_crashed_is_answered_once_by_customer_service_message(
    tmp_path: Path, model_path: Path
) -> None:
    with live_wechat(tmp_path, model_path) as live:
        live.app.state.recovery.grace = live.app.state.recovery.grace * 0
        break_turns(live.app, times=1)
        first = live.say("u-crash", "诉讼费怎么算", msg_id("crash"))
        assert "稍后" in first  # told it is being handled, not asked to send it again
        assert recover(live.app).answered == 1
        live.app.state.wechat.outbox.drain()
        recover(live.app)  # a second pass finds nothing owed
        live.app.state.wechat.outbox.drain()
        (sent,) = live.wechat.sent_to("u-crash")
        assert "哪一类" in sent

        # Had WeChat redelivered first, the redelivery answers, and recovery stays quiet.
        break_turns(live.app, times=1)
        assert "稍后" in live.say("u-again", "诉讼费怎么算", msg_id("again"))
        assert "哪一类" in live.say("u-again", "诉讼费怎么算", msg_id("again"))
        assert recover(live.app) == Report()
        live.app.state.wechat.outbox.drain()
        assert live.wechat.sent_to("u-again") == []


@pytest.fixture
def telegram(tmp_path: Path, model_path: Path) -> Iterator[TelegramLive]:
    state = FakeTelegram(token="123456:TEST-token")
    with serve_in_thread(create_fake_telegram(state)) as fake_url:
        port = free_port()
        settings = tg_settings(tmp_path, model_path, port, fake_url).model_copy(
            update={"recovery_interval_seconds": 0.2, "recovery_grace_seconds": 0}
        )
        app = create_app(settings, channels=False)
        register_telegram(app, settings)
        with serve_in_thread(app, port=port) as url:
            yield TelegramLive(url, state, app)


def wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_telegram_redelivery_answers_a_message_whose_turn_crashed(
    telegram: TelegramLive,
) -> None:
    # The periodic pass runs every 0.2 s here: it must not answer a second time either.
    break_turns(telegram.app, times=1)
    update = telegram.update("诉讼费怎么算")
    assert telegram.post(update).status_code == 500  # Telegram delivers it again
    assert telegram.post(update).status_code == 200
    time.sleep(0.6)  # a few recovery passes
    (answer,) = telegram.fake.texts()
    assert "哪一类" in answer


def test_staff_reply_sent_when_the_bot_api_comes_back(telegram: TelegramLive) -> None:
    telegram.say("你好")
    before = len(telegram.fake.texts())
    telegram.fake.fail_next("sendMessage", 502)
    with telegram.app.state.db.session() as session:  # what the desk stores for a reply
        conversation = repo.get_or_create_conversation(
            session, channel="telegram", sender_id="4242"
        )
        repo.add_outbound(
            session, conversation=conversation, text="导诉员：材料已收到", payload=None,
            sender_kind="staff",
        )  # fmt: skip
    wait_for(lambda: len(telegram.fake.texts()) > before)
    time.sleep(0.6)
    assert telegram.fake.texts()[before:] == ["导诉员：材料已收到"]
