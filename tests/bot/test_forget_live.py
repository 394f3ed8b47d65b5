"""Forgetting ("删除我的记录") over real HTTP: REST webhook and pull, the desk API, the database.

The litigant asks, is handed to the desk, leaves a call-back number, is served
by a guide and rates the service; then asks to forget it all. Afterwards the
database must hold nothing of what they (or the guide) wrote, the web chat's
pull shows only the confirmation, and a new "你好" starts a normal conversation.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import inspect, text

from bot.app import create_app
from bot.desk.accounts import add_staff
from bot.serving import free_port, serve_in_thread
from bot.storage.db import make_engine
from bot.storage.masking import mask_number
from dialogs.flows import forget
from tests.bot.rest_live import CASE, Live, live_settings

PASSWORD = "guide-desk-2025"
PHONE = "13912345678"
#: What Alice writes before asking to forget (her guide's answer below).
ALICE_WROTE = (
    "借给朋友5万块不还 起诉要交多少诉讼费",
    CASE["case_number"],
    f"我的电话{PHONE} 麻烦回电",
)
GUIDE_WROTE = "您好，我是导诉员小李，马上帮您查"


@dataclass
class Server:
    live: Live
    app: FastAPI

    @property
    def url(self) -> str:
        return self.live.url

    def say(self, text: str, sender: str) -> list[dict[str, Any]]:
        return self.live.say(text, sender)

    def press(self, replies: list[dict[str, Any]], title: str, sender: str) -> str:
        payload = next(
            b["payload"] for m in replies for b in m.get("buttons", []) if b["title"] == title
        )
        return "\n".join(m.get("text", "") for m in self.say(payload, sender))

    def pull(self, sender: str, after: int = 0) -> list[dict[str, Any]]:
        return self.live.pull(sender, after)

    @contextmanager
    def desk(self) -> Iterator[httpx.Client]:
        """A guide logged in to the desk (cookie and CSRF token set)."""
        with httpx.Client(base_url=self.url, timeout=30) as client:
            response = client.post("/desk/login", json={"username": "lina", "password": PASSWORD})
            assert response.status_code == 200, response.text
            client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
            yield client

    def stored(self) -> str:
        """Every value of every row of every table, as one string."""
        engine = make_engine(self.live.settings.database_url)
        chunks: list[str] = []
        try:
            with engine.connect() as connection:
                for table in inspect(connection).get_table_names():
                    for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                        chunks.extend(str(value) for value in row)
        finally:
            engine.dispose()
        return "\n".join(chunks)

    def count(self, table: str) -> int:
        engine = make_engine(self.live.settings.database_url)
        try:
            with engine.connect() as connection:
                return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
        finally:
            engine.dispose()


@pytest.fixture
def server(tmp_path: Path, model_path: Path) -> Iterator[Server]:
    port = free_port()
    settings = live_settings(tmp_path, model_path, port)
    app = create_app(settings)
    with serve_in_thread(app, port=port) as url:
        with app.state.db.session() as session:
            add_staff(session, "lina", PASSWORD, "guide")
        yield Server(Live(url, settings), app)


def _served_by_the_desk(server: Server, sender: str) -> None:
    """Ask, be handed over, leave a number, get a guide's answer, rate it 5."""
    assert "1,050元" in server.live.text(ALICE_WROTE[0], sender)
    server.say("查案件进度", sender)
    assert "查询码" in server.live.text(ALICE_WROTE[1], sender)
    assert "导诉员" in server.live.text("转人工", sender)
    assert "已记下您的回电号码" in server.live.text(ALICE_WROTE[2], sender)
    with server.desk() as desk:
        (waiting,) = desk.get("/desk/api/queue").json()
        assert waiting["callback"] is not None
        chat = waiting["conversation_id"]
        assert desk.post(f"/desk/api/conversations/{chat}/claim").status_code == 200
        sent = desk.post(f"/desk/api/conversations/{chat}/messages", json={"text": GUIDE_WROTE})
        assert sent.status_code == 200
        assert desk.post(f"/desk/api/conversations/{chat}/close").status_code == 200
    closing = server.pull(sender)[-1]
    assert server.press([closing], "5分", sender)
    assert server.count("ratings") == 1 and server.count("callbacks") == 1


def test_confirmed_forget_deletes_everything_of_that_litigant_only(server: Server) -> None:
    _served_by_the_desk(server, "alice")
    server.say("你好", "bob")
    assert server.live.text("离婚案件诉讼费怎么交", "bob")
    bob_before = server.pull("bob")
    before = server.stored()
    alice_everywhere = (
        "借给朋友5万块不还",
        CASE["case_number"],
        PHONE,  # the call-back number, kept in full for the guide
        mask_number(PHONE, "phone"),  # the message itself is stored masked
        "麻烦回电",
        GUIDE_WROTE,
        "1,050元",  # the bot's answer to her
    )
    for words in alice_everywhere:
        assert words in before, words  # so the checks below mean something

    asked = server.say("删除我的记录", "alice")
    assert [b["title"] for b in asked[-1]["buttons"]] == ["确认删除", "取消"]
    assert "不会删除" in asked[-1]["text"]
    assert "删除我的记录" in server.stored()
    done = server.press(asked, "确认删除", "alice")
    assert done == forget.DONE

    after = server.stored()
    for words in (*alice_everywhere, "删除我的记录", forget.CONFIRM_BUTTON.payload, forget.EXPLAIN):
        assert words not in after, words
    assert server.count("ratings") == 0 and server.count("callbacks") == 0
    (only,) = server.pull("alice")
    assert only["text"] == forget.DONE

    # the anonymous trail still counts the handoff, but no longer the rating
    with server.desk() as desk:
        days = desk.get("/desk/api/stats", params={"days": 2}).json()  # midnight-proof
    totals = [sum(day[key] for day in days) for key in ("handoffs", "closed", "ratings")]
    assert totals == [1, 1, 0]

    # bob's conversation is untouched
    assert server.pull("bob") == bob_before
    assert "离婚案件诉讼费怎么交" in after

    # a fresh start: greeted like a newcomer, nothing of the old state (the case number) left
    greeting = server.live.text("你好", "alice")
    assert "您好" in greeting
    assert [m["text"] for m in server.pull("alice", after=only["seq"])] == [greeting]
    assert "案号" in server.live.text("查案件进度", "alice")  # not "继续查询案号…"


def test_cancel_keeps_everything(server: Server) -> None:
    assert "1,050元" in server.live.text(ALICE_WROTE[0], "carol")
    asked = server.say("删掉聊天记录", "carol")
    assert "没有删除" in server.press(asked, "取消", "carol")
    assert len(server.pull("carol")) == 3  # the answer, the question, "没有删除"
    assert server.count("messages") == 6
    assert ALICE_WROTE[0] in server.stored()
    # the confirmation button, pressed late, only asks again
    assert "确认删除" in server.live.text(forget.CONFIRM_BUTTON.payload, "carol")
    assert server.count("messages") == 8


def test_no_answer_while_a_person_owns_the_chat(server: Server) -> None:
    assert "导诉员" in server.live.text("转人工", "dave")
    assert server.say("删除我的记录", "dave") == []  # the guide answers, not the bot
    assert server.count("messages") == 3  # the request stays for the guide to see
    assert "删除我的记录" in server.stored()
