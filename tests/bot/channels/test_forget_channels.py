"""Forgetting ("删除我的记录") on the push channels: the confirmation reaches the chat once.

The transcript is deleted in the turn that answers the confirmation; the
confirming message stays as an empty stub, so the answer is delivered through
the usual tracking and a redelivered update (Telegram) or push (WeChat) gets
no second answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import create_app
from bot.channels.telegram import register
from bot.serving import free_port, serve_in_thread
from bot.storage import repo
from dialogs.flows import forget
from tests.bot.channels.test_telegram import CHAT, Live, tg_settings
from tests.bot.channels.wechat_live import live_wechat
from tests.fakes.telegram_server import FakeTelegram, create_fake_telegram


@pytest.fixture
def telegram(tmp_path: Path, model_path: Path) -> Iterator[Live]:
    state = FakeTelegram(token="123456:TEST-token")
    with serve_in_thread(create_fake_telegram(state)) as fake_url:
        port = free_port()
        settings = tg_settings(tmp_path, model_path, port, fake_url)
        app = create_app(settings, channels=False)
        assert register(app, settings) is not None
        with serve_in_thread(app, port=port) as url:
            yield Live(url, state, app)


def test_forget_on_telegram_confirms_once_and_keeps_only_the_confirmation(
    telegram: Live,
) -> None:
    live = telegram
    assert "1,050元" in live.say("借给朋友5万块不还 起诉要交多少诉讼费")[0]
    (explained,) = live.say("删除我的记录")
    assert "不会删除" in explained
    keyboard = live.fake.sent[-1]["reply_markup"]["inline_keyboard"]
    buttons = {button["text"]: button["callback_data"] for row in keyboard for button in row}
    assert set(buttons) == {"确认删除", "取消"}

    before = len(live.fake.texts())
    update = live.button_update(buttons["确认删除"])
    assert live.post(update).status_code == 200
    assert live.fake.texts()[before:] == [forget.DONE]
    assert live.post(update).status_code == 200  # Telegram redelivers the same update
    assert live.fake.texts()[before:] == [forget.DONE]

    with live.app.state.db.session(readonly=True) as session:
        conversation = repo.find_conversation(session, channel="telegram", sender_id=str(CHAT))
        assert conversation is not None
        stored = repo.transcript(session, conversation_id=conversation.id)
        assert [(m.direction, m.text) for m in stored] == [("in", None), ("out", forget.DONE)]
        assert stored[0].external_id == str(update["update_id"])
        assert stored[1].delivered_at is None
        assert stored[0].delivered_at is not None  # the answer's delivery is tracked on the stub

    assert "您好" in live.say("你好")[0]


def test_forget_on_wechat_with_numbered_choices_and_the_menu_key(
    tmp_path: Path, model_path: Path
) -> None:
    with live_wechat(tmp_path, model_path) as live:
        user = "o-forget"
        assert "1,050元" in live.say(user, "借给朋友5万块不还 起诉要交多少诉讼费", "7001")
        explained = live.say(user, "删除我的记录", "7002")
        assert "不会删除" in explained
        assert "回复 1 确认删除" in explained and "回复 2 取消" in explained
        assert live.say(user, "1", "7003").startswith(forget.DONE)
        assert live.say(user, "1", "7003") == ""  # WeChat's retry of the same MsgId
        with live.app.state.db.session(readonly=True) as session:
            conversation = repo.find_conversation(session, channel="wechat", sender_id=user)
            assert conversation is not None
            stored = repo.transcript(session, conversation_id=conversation.id)
            assert [(m.direction, m.text) for m in stored] == [("in", None), ("out", forget.DONE)]

        # a court may put "/forget_me" in the official account's menu
        click = (
            "<xml><ToUserName><![CDATA[gh_court0001]]></ToUserName>"
            f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>1700000009</CreateTime>"
            "<MsgType>event</MsgType><Event>CLICK</Event>"
            f"<EventKey>{forget.REQUEST_BUTTON.payload}</EventKey></xml>"
        )
        reply = live.wechat.read_reply(live.wechat.push(live.url, click, user=user))
        assert reply is not None and "不会删除" in str(reply["Content"])
