"""The web chat's own API over real HTTP: a per-browser credential in a header guards it.

Without the right credential nothing of a conversation is read or written, so one
litigant can never read (or delete) another's conversation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from bot.app import create_app
from bot.serving import free_port, serve_in_thread
from bot.storage.models import Conversation, WebchatSession, utcnow
from tests.bot.rest_live import CASE, WebChat, live_settings

REFUSED = "网页对话凭证无效或已过期，请刷新页面重新开始对话。"


@pytest.fixture
def server(tmp_path: Path, model_path: Path) -> Iterator[tuple[str, FastAPI]]:
    port = free_port()
    app = create_app(live_settings(tmp_path, model_path, port))
    with serve_in_thread(app, port=port) as url:
        yield url, app


def conversations(app: FastAPI) -> list[tuple[str, str]]:
    with app.state.db.session(readonly=True) as session:
        rows = session.execute(select(Conversation.channel, Conversation.sender_id))
        return [(str(r.channel), str(r.sender_id)) for r in rows]


def last_seen(app: FastAPI, sender: str) -> object:
    with app.state.db.session(readonly=True) as session:
        return session.scalar(
            select(WebchatSession.last_seen_at).where(WebchatSession.sender_id == sender)
        )


def test_a_session_is_a_random_sender_and_a_secret_of_which_only_the_hash_is_kept(
    server: tuple[str, FastAPI],
) -> None:
    url, app = server
    chats = [WebChat.start(url) for _ in range(3)]
    assert len({c.sender for c in chats}) == 3 and len({c.secret for c in chats}) == 3
    assert all(len(c.sender) >= 22 and len(c.secret) >= 43 for c in chats)  # 192, 256 bits
    with app.state.db.session(readonly=True) as session:
        stored = {r.sender_id: r.secret_hash for r in session.scalars(select(WebchatSession))}
    for chat in chats:
        assert stored[chat.sender] == hashlib.sha256(chat.secret.encode()).hexdigest()
        assert chat.secret not in stored.values()


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer nodot", "Basic abc.def", "Bearer {sender}", "Bearer {sender}."],
)
def test_without_a_credential_nothing_is_read_or_written(
    server: tuple[str, FastAPI], authorization: str | None
) -> None:
    url, app = server
    chat = WebChat.start(url)
    headers = (
        {} if authorization is None else {"Authorization": authorization.format(sender=chat.sender)}
    )
    sent = httpx.post(f"{url}/webchat/message", json={"message": "你好"}, headers=headers)
    pulled = httpx.get(f"{url}/webchat/messages", headers=headers)
    for response in (sent, pulled):
        assert response.status_code == 401
        assert response.json()["message"] == REFUSED
        assert response.headers["www-authenticate"] == "Bearer"
    assert conversations(app) == []


def test_another_sessions_secret_reads_and_deletes_nothing(server: tuple[str, FastAPI]) -> None:
    url, app = server
    alice, mallory = WebChat.start(url), WebChat.start(url)
    alice.say("帮我查一下案件进度")
    alice.say(CASE["case_number"])
    answer = alice.text(CASE["query_code"])
    assert CASE["stage"] in answer
    # Alice's sender id with Mallory's secret: refused, whatever is asked.
    forged = WebChat(url, alice.sender, mallory.secret)
    for text in ("删除我的记录", "确认删除"):
        assert forged.post(text).status_code == 401
    response = httpx.get(f"{url}/webchat/messages", headers=forged.headers)
    assert response.status_code == 401 and CASE["stage"] not in response.text
    # Mallory's own session sees only Mallory's conversation (none yet).
    assert mallory.pull() == []
    # Alice's conversation is whole, and hers alone.
    assert any(CASE["stage"] in m.get("text", "") for m in alice.pull())
    assert conversations(app) == [("webchat", alice.sender)]


def test_the_right_credential_talks_and_a_resend_is_answered_once(
    server: tuple[str, FastAPI],
) -> None:
    url, _ = server
    chat = WebChat.start(url)
    metadata = {"message_id": "0123456789abcdef0123456789abcdef"}
    first = chat.say("诉讼费怎么算", metadata=metadata)
    assert first and all(m["recipient_id"] == chat.sender for m in first)
    again = chat.say("诉讼费怎么算", metadata=metadata)
    assert [m.get("text") for m in again] == [m.get("text") for m in first]
    pulled = chat.pull()
    assert sum(m.get("text") == first[0]["text"] for m in pulled) == 1  # answered once
    assert chat.pull(after=pulled[-1]["seq"]) == []


def test_last_use_is_written_at_most_every_few_minutes(server: tuple[str, FastAPI]) -> None:
    url, app = server
    chat = WebChat.start(url)
    hour_ago = utcnow() - timedelta(hours=1)
    minute_ago = utcnow() - timedelta(minutes=1)
    for then, written in ((hour_ago, True), (minute_ago, False)):
        with app.state.db.session() as session:
            session.execute(
                update(WebchatSession)
                .where(WebchatSession.sender_id == chat.sender)
                .values(last_seen_at=then)
            )
        chat.pull()
        seen = last_seen(app, chat.sender)
        assert (seen != then) is written, (then, seen)


@pytest.mark.parametrize("after", ["99999999999999999999", str(2**31), "-1", "x"])
def test_an_out_of_range_after_is_a_bad_request(server: tuple[str, FastAPI], after: str) -> None:
    url, _ = server
    chat = WebChat.start(url)
    response = httpx.get(f"{url}/webchat/messages", params={"after": after}, headers=chat.headers)
    assert response.status_code == 400
    assert response.json()["message"].startswith("请求格式不正确")
    assert chat.pull(after=2**31 - 1) == []


@pytest.mark.parametrize(
    "body",
    [{"message": "你\x00好"}, {"message": "你好", "metadata": {"message_id": "abcdefgh\x00"}}],
)
def test_a_nul_byte_is_a_bad_request_not_a_crash(
    server: tuple[str, FastAPI], body: dict[str, object]
) -> None:
    url, app = server
    chat = WebChat.start(url)
    response = httpx.post(f"{url}/webchat/message", json=body, headers=chat.headers)
    assert response.status_code == 400, response.text
    assert response.json()["message"].startswith("请求格式不正确")
    assert conversations(app) == []
    assert chat.text("你好")  # and the server is fine
