"""The Telegram channel over real HTTP: Telegram's side is a fake Bot API server on loopback.

Updates are POSTed to our webhook as Telegram posts them; what the litigant sees
is what reached the fake server through python-telegram-bot.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import create_app
from bot.channels.telegram import (
    SECRET_HEADER,
    WEBHOOK_PATH,
    TelegramChannel,
    callback_key,
    register,
    split_text,
    utf16_len,
)
from bot.serving import free_port, serve_in_thread
from bot.settings import Settings
from bot.storage import repo
from tests.bot.store_failures import fail_once
from tests.databases import app_database_url
from tests.fakes.telegram_server import FakeTelegram, create_fake_telegram

TOKEN = "123456:TEST-token"
SECRET = "s3cret_Token-for-tests"
CHAT = 4242


@dataclass
class Live:
    url: str
    fake: FakeTelegram
    app: Any
    next_update: int = 9000

    def post(self, update: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
        headers = {} if secret is None else {SECRET_HEADER: secret}
        return httpx.post(f"{self.url}{WEBHOOK_PATH}", json=update, headers=headers, timeout=30)

    def update(
        self, text: str | None, chat: int = CHAT, update_id: int | None = None
    ) -> dict[str, Any]:
        if update_id is None:
            self.next_update += 1
            update_id = self.next_update
        message: dict[str, Any] = {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": "张"},
            "from": {"id": chat, "is_bot": False, "first_name": "张"},
        }
        if text is None:
            message["sticker"] = {
                "file_id": "s", "file_unique_id": "s", "width": 1, "height": 1,
                "is_animated": False, "is_video": False, "type": "regular",
            }  # fmt: skip
        else:
            message["text"] = text
        return {"update_id": update_id, "message": message}

    def say(self, text: str | None, chat: int = CHAT) -> list[str]:
        """Send one message; return the texts the user received for it."""
        before = len(self.fake.texts(chat))
        response = self.post(self.update(text, chat))
        assert response.status_code == 200, response.text
        return self.fake.texts(chat)[before:]

    def button_update(self, data: str, chat: int = CHAT) -> dict[str, Any]:
        """The update Telegram sends when ``chat`` presses the inline button ``data``."""
        self.next_update += 1
        return {
            "update_id": self.next_update,
            "callback_query": {
                "id": f"cb{self.next_update}",
                "from": {"id": chat, "is_bot": False, "first_name": "张"},
                "chat_instance": "ci",
                "data": data,
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": chat, "type": "private"},
                    "text": "…",
                },
            },
        }

    def press(self, data: str, chat: int = CHAT) -> httpx.Response:
        return self.post(self.button_update(data, chat))

    def stored_messages(self, chat: int = CHAT) -> int:
        with self.app.state.db.session(readonly=True) as session:
            found = repo.find_conversation(session, channel="telegram", sender_id=str(chat))
            return 0 if found is None else found.next_seq - 1


def tg_settings(tmp_path: Path, model_path: Path, port: int, fake_url: str) -> Settings:
    return Settings(
        database_url=app_database_url(tmp_path, "tg.db"),
        nlu_model_path=model_path,
        config_dir=Path(__file__).parents[3] / "config",
        local_url=f"http://127.0.0.1:{port}",
        public_base_url=f"http://127.0.0.1:{port}",
        business_hours="Mon-Sun 00:00-23:59",
        telegram_token=TOKEN,
        telegram_webhook_secret=SECRET,
        telegram_api_base_url=f"{fake_url}/bot",
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def fake() -> Iterator[tuple[FakeTelegram, str]]:
    state = FakeTelegram(token=TOKEN)
    with serve_in_thread(create_fake_telegram(state)) as url:
        yield state, url


@pytest.fixture
def live(tmp_path: Path, model_path: Path, fake: tuple[FakeTelegram, str]) -> Iterator[Live]:
    state, fake_url = fake
    port = free_port()
    settings = tg_settings(tmp_path, model_path, port, fake_url)
    app = create_app(settings, channels=False)
    assert register(app, settings) is not None
    with serve_in_thread(app, port=port) as url:
        yield Live(url, state, app)


def test_question_answered_through_the_bot_api(live: Live) -> None:
    assert live.fake.calls_to("getMe"), "the token is checked at start-up"
    (answer,) = live.say("俺借给朋友5万块他不还 起诉要交多少诉讼费")
    assert "1,050元" in answer and "525元" in answer


def test_buttons_are_an_inline_keyboard_and_pressing_one_acts_as_the_button(live: Live) -> None:
    live.say("/start")
    keyboard = live.fake.sent[-1]["reply_markup"]["inline_keyboard"]
    buttons = {row[0]["text"]: row[0]["callback_data"] for row in keyboard}
    assert "算诉讼费" in buttons
    before = len(live.fake.texts())
    assert live.press(buttons["算诉讼费"]).status_code == 200
    assert "哪一类" in live.fake.texts()[before]
    assert live.fake.calls_to("answerCallbackQuery"), "the button's spinner is stopped"


def test_a_payload_longer_than_64_bytes_still_works_as_a_button(live: Live) -> None:
    live.say("你好")
    payload = '/fee_calculation{"note":"这是一个很长的按钮载荷，超过了电报的六十四字节限制"}'
    assert len(payload.encode()) > 64
    with live.app.state.db.session() as session:
        conversation = repo.find_conversation(session, channel="telegram", sender_id=str(CHAT))
        repo.add_outbound(
            session,
            conversation=conversation,
            text="选一个",
            payload={"buttons": [{"title": "算诉讼费", "payload": payload}]},
        )
    before = len(live.fake.texts())
    assert live.press(callback_key(payload)).status_code == 200
    assert "哪一类" in live.fake.texts()[before]
    assert live.press("#unknownkey").status_code == 200
    assert live.fake.texts()[-1] == "这个按钮已失效，请直接输入您的问题。"


def test_wrong_or_missing_secret_is_refused_and_nothing_is_stored(live: Live) -> None:
    for secret in (None, "wrong", SECRET + "x", ""):
        response = live.post(live.update("你好"), secret=secret)
        assert response.status_code == 403
    assert live.stored_messages() == 0
    assert live.fake.sent == []


def test_duplicate_update_id_gets_one_reply(live: Live) -> None:
    update = live.update("你好")
    for _ in range(3):
        assert live.post(update).status_code == 200
    assert len(live.fake.texts()) == 1
    assert live.stored_messages() == 2  # one question, one answer


def test_template_qr_goes_out_as_a_photo(live: Live) -> None:
    live.say("离婚起诉状的示范文本哪里有")
    (photo,) = live.fake.calls_to("sendPhoto")
    assert photo.params["photo"].endswith("/templates/1/qr.png")
    assert "离婚纠纷" in photo.params["caption"]


def test_429_retry_after_is_honoured(live: Live) -> None:
    live.fake.fail_next("sendMessage", 429, retry_after=1)
    (answer,) = live.say("你好")
    assert "一窗" in answer
    refused, accepted = live.fake.calls_to("sendMessage")
    assert (refused.answered, accepted.answered) == (429, 200)
    assert accepted.at - refused.at >= 1.0


def test_failed_send_is_retried_by_redelivery_without_sending_twice(live: Live) -> None:
    update = live.update("离婚起诉状的示范文本哪里有")
    live.fake.fail_next("sendMessage", 500)
    assert live.post(update).status_code == 503  # Telegram will redeliver
    assert len(live.fake.sent) == 1  # the photo went out, the text did not
    assert live.post(update).status_code == 200
    assert live.post(update).status_code == 200
    texts = live.fake.texts()
    assert len(texts) == 2 and "离婚纠纷" in texts[0] and "示范文本鼓励使用" in texts[1]


def test_handed_off_chat_gets_no_bot_reply(live: Live) -> None:
    live.say("判了不服")  # "上诉 还是 申请执行？"
    assert any("导诉员" in t for t in live.say("都不是"))
    assert live.say("你好") == []
    assert live.say(None) == []  # not even the "text only" notice


def test_non_text_message_gets_a_chinese_explanation(live: Live) -> None:
    assert live.say(None) == ["目前只能看懂文字消息，请用文字描述您的问题。"]


def test_bad_bodies_get_400_not_a_traceback(live: Live) -> None:
    response = httpx.post(
        f"{live.url}{WEBHOOK_PATH}", content=b"{not json", headers={SECRET_HEADER: SECRET}
    )
    assert response.status_code == 400 and "无法识别" in response.json()["message"]
    assert live.post({"update_id": "x"}).status_code == 400


def test_one_users_messages_are_answered_in_arrival_order(live: Live) -> None:
    """Rasa's test_message_order: later messages finish sooner, answers still come in order."""
    amounts = range(1, 11)
    live.fake.send_delays = [0.8 - 0.08 * i for i in range(10)]
    updates = [live.update(f"借款{n}万元起诉要交多少诉讼费") for n in amounts]
    clients = [httpx.Client(base_url=live.url, timeout=30) for _ in updates]
    for client in clients:  # connected beforehand, so a request arrives when it is sent
        assert client.get("/health").status_code == 200

    def post(client: httpx.Client, update: dict[str, Any]) -> int:
        return client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET}).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        futures = []
        for client, update in zip(clients, updates, strict=True):
            futures.append(pool.submit(post, client, update))
            time.sleep(0.05)
        assert [f.result() for f in futures] == [200] * 10
    for client in clients:
        client.close()
    answered = live.fake.texts()
    assert len(answered) == 10
    for n, text in zip(amounts, answered, strict=True):
        assert f"按{n * 10000:,}元计算" in text


def test_two_users_do_not_wait_for_each_other(live: Live) -> None:
    release = threading.Event()
    live.fake.held_chats[1] = release  # the first user's delivery hangs until released
    with ThreadPoolExecutor(max_workers=2) as pool:
        slow = pool.submit(live.post, live.update("你好", chat=1))
        assert live.fake.holding.wait(30)  # the first answer is stuck in its send
        quick = pool.submit(live.post, live.update("你好", chat=2)).result(timeout=30)
        assert quick.status_code == 200 and any("一窗" in t for t in live.fake.texts(2))
        assert not slow.done()  # the second user was answered while the first still waits
        release.set()
        assert slow.result(timeout=30).status_code == 200


def test_long_answers_are_split_under_4096_characters(
    live: Live, fake: tuple[FakeTelegram, str]
) -> None:
    """The path staff replies take too (``TelegramChannel.deliver_stored``)."""
    state, _ = fake
    text = ("第一段说明。" * 400 + "\n\n") + "第二段😀" * 600
    channel = TelegramChannel(live.app.state.settings, live.app.state.conversations)
    with live.app.state.db.session() as session:
        conversation = repo.get_or_create_conversation(
            session, channel="telegram", sender_id=str(CHAT)
        )
        staff = repo.add_outbound(
            session, conversation=conversation, text=text, payload=None, sender_kind="staff"
        )
        message_id = staff.id

    async def send_twice() -> None:
        await channel.deliver_stored(message_id)
        await channel.deliver_stored(message_id)  # a retry sends nothing
        await channel.stop()

    asyncio.run(send_twice())
    pieces = state.texts(CHAT)
    assert len(pieces) == 2
    assert all(utf16_len(p) <= 4096 for p in pieces)
    assert pieces[0].endswith("第一段说明。") and pieces[1].startswith("第二段")


def test_split_text_respects_the_limit_and_loses_nothing() -> None:
    text = "一二三四五。" * 1000
    pieces = split_text(text)
    assert all(utf16_len(p) <= 4096 for p in pieces)
    assert "".join(pieces) == text
    assert split_text("短") == ["短"]
    assert all(utf16_len(p) <= 10 for p in split_text("😀" * 25, limit=10))


def test_channel_is_off_without_a_token(tmp_path: Path, model_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'off.db'}",
        nlu_model_path=model_path,
        config_dir=Path(__file__).parents[3] / "config",
        _env_file=None,  # type: ignore[call-arg]
    )
    app = create_app(settings, preload_nlu=False)
    assert register(app, settings) is None
    assert WEBHOOK_PATH not in {getattr(r, "path", "") for r in app.routes}


def test_without_a_configured_secret_every_update_is_refused(
    tmp_path: Path, model_path: Path, fake: tuple[FakeTelegram, str]
) -> None:
    state, fake_url = fake
    port = free_port()
    settings = tg_settings(tmp_path, model_path, port, fake_url).model_copy(
        update={"telegram_webhook_secret": None}
    )
    app = create_app(settings, preload_nlu=False)
    register(app, settings)
    with serve_in_thread(app, port=port) as url:
        live = Live(url, state, app)
        assert live.post(live.update("你好"), secret="").status_code == 403
        assert live.post(live.update("你好"), secret="anything").status_code == 403
    assert state.sent == []


def test_answers_keep_their_order_after_an_answer_failed_to_store(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stored but not answered: Telegram is asked to redeliver, and the chat's next message
    first sends the owed answer, then its own; the redelivery then sends nothing twice."""
    fail_once(monkeypatch)
    first = live.update("诉讼费怎么算")
    assert live.post(first).status_code == 503  # stored: Telegram will deliver it again
    assert live.fake.texts(CHAT) == []
    texts = live.say("你好")
    assert texts and "哪一类" in texts[0], texts  # the owed answer first
    assert all("哪一类" not in text for text in texts[1:])
    assert live.post(first).status_code == 200  # the redelivery: answered and sent already
    assert live.fake.texts(CHAT) == texts


def test_an_update_without_a_chat_is_ignored(live: Live) -> None:
    update = live.update("你好")
    del update["message"]["chat"]
    assert live.post(update).status_code == 200
    assert live.fake.texts(CHAT) == []


def test_a_nul_in_a_message_is_answered(live: Live) -> None:
    """PostgreSQL text cannot hold NUL: the store strips it (bot.storage.nul)."""
    assert live.say("你\x00好")
    with live.app.state.db.session(readonly=True) as session:
        found = repo.find_conversation(session, channel="telegram", sender_id=str(CHAT))
        assert found is not None
        assert repo.transcript(session, conversation_id=found.id)[0].text == "你好"


def test_bad_updates_keep_the_connection_alive(live: Live) -> None:
    no_chat = live.update("你好")
    del no_chat["message"]["chat"]
    deep = b'{"update_id": 1, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    with httpx.Client(base_url=live.url, timeout=30, headers=headers) as client:
        ignored = client.post(WEBHOOK_PATH, json=no_chat)
        assert ignored.status_code == 200
        too_deep = client.post(WEBHOOK_PATH, content=deep)
        assert too_deep.status_code == 400 and "无法识别" in too_deep.json()["message"]
        good = client.post(WEBHOOK_PATH, json=live.update("你好"))
        assert good.status_code == 200
        streams = {id(r.extensions["network_stream"]) for r in (ignored, too_deep, good)}
        assert len(streams) == 1
