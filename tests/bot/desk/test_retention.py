"""Retention: ``yichuang desk purge`` deletes old transcripts, their ratings and call-backs."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.app import create_app
from bot.serving import serve_in_thread
from bot.settings import Settings
from bot.storage import repo, webchat
from bot.storage.db import Database
from bot.storage.migrate import upgrade
from bot.storage.models import Callback, Conversation, Message, Rating, utcnow

Cli = Callable[..., tuple[int, str, str]]


def _database(tmp_path: Path) -> tuple[str, Database]:
    url = f"sqlite:///{tmp_path / 'retention.db'}"
    upgrade(url)
    return url, Database(url)


def _chat(database: Database, sender: str, *, age_days: int, status: str = "bot") -> int:
    """A conversation whose messages, rating and call-back are ``age_days`` old."""
    then = utcnow() - timedelta(days=age_days)
    with database.session() as session:
        conversation = repo.get_or_create_conversation(session, channel="rest", sender_id=sender)
        repo.add_inbound(session, conversation=conversation, text="你好", parse=None)
        repo.add_outbound(session, conversation=conversation, text="您好", payload=None)
        session.add(Rating(conversation_id=conversation.id, score=4, staff_username="wang"))
        session.add(Callback(conversation_id=conversation.id, phone="13912345678", note="回电"))
        conversation.status = status
        session.flush()
        cid = conversation.id
        for model in (Message, Rating, Callback):
            session.execute(
                update(model).where(model.conversation_id == cid).values(created_at=then)
            )
        session.execute(
            update(Conversation).where(Conversation.id == cid).values(last_message_at=then)
        )
    return cid


def _count(database: Database, model: type, conversation_id: int) -> int:
    with database.session(readonly=True) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(model)
                .where(model.conversation_id == conversation_id)
            )
            or 0
        )


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    url, database = _database(tmp_path)
    monkeypatch.setenv("YICHUANG_DATABASE_URL", url)
    monkeypatch.delenv("YICHUANG_RETENTION_DAYS", raising=False)
    monkeypatch.chdir(tmp_path)  # no developer .env
    return database


def test_purge_deletes_old_chats_and_keeps_recent_ones(env: Database, cli: Cli) -> None:
    old = _chat(env, "old", age_days=40)
    recent = _chat(env, "recent", age_days=5)
    status, out, err = cli("desk", "purge", "--days", "30", "--json")
    assert status == 0, err
    report = json.loads(out)
    assert report["days"] == 30
    assert (report["messages"], report["conversations"]) == (2, 1)
    assert (report["ratings"], report["callbacks"]) == (1, 1)
    with env.session(readonly=True) as session:
        assert session.get(Conversation, old) is None
        assert session.get(Conversation, recent) is not None
    assert _count(env, Message, recent) == 2 and _count(env, Rating, recent) == 1


def test_old_call_back_numbers_go_even_when_the_chat_stays(env: Database, cli: Cli) -> None:
    waiting = _chat(env, "queued", age_days=40, status="handoff")
    status, out, _ = cli("desk", "purge", "--days", "30")
    assert status == 0
    assert "消息 2 条" in out and "回电登记 1 条" in out
    with env.session(readonly=True) as session:
        assert session.get(Conversation, waiting) is not None  # staff still see it queued
    assert _count(env, Callback, waiting) == 0
    assert _count(env, Rating, waiting) == 1


def test_default_period_is_180_days(env: Database, cli: Cli) -> None:
    kept = _chat(env, "kept", age_days=179)
    gone = _chat(env, "gone", age_days=181)
    status, out, _ = cli("desk", "purge", "--json")
    assert status == 0 and json.loads(out)["days"] == 180
    with env.session(readonly=True) as session:
        assert session.get(Conversation, kept) is not None
        assert session.get(Conversation, gone) is None


@pytest.mark.parametrize("days", ["0", "-3", "abc"])
def test_bad_days_get_one_chinese_line(env: Database, cli: Cli, days: str) -> None:
    status, out, err = cli("desk", "purge", "--days", days)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "天数" in err


def test_unreachable_database_is_one_chinese_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.setenv("YICHUANG_DATABASE_URL", "nonsense://")
    monkeypatch.chdir(tmp_path)
    status, _, err = cli("desk", "purge", "--days", "30")
    assert status == 2 and err.count("\n") == 1 and "数据库" in err


def test_the_server_purges_by_itself_at_start_up(tmp_path: Path, settings: Settings) -> None:
    url, database = _database(tmp_path)
    old = _chat(database, "server-old", age_days=200)
    recent = _chat(database, "server-recent", age_days=3)
    app = create_app(settings.model_copy(update={"database_url": url}), preload_nlu=False)
    with serve_in_thread(app):
        deadline = time.monotonic() + 20
        while _count(database, Message, old) and time.monotonic() < deadline:
            time.sleep(0.1)
    assert _count(database, Message, old) == 0
    assert _count(database, Message, recent) == 2
    database.dispose()


def test_web_chat_sessions_unused_for_the_period_go(env: Database, cli: Cli) -> None:
    """An old credential stops working; one used within the period stays."""
    with env.session() as session:
        webchat.create(session, sender_id="idle-browser", secret_hash="0" * 64)
        webchat.create(session, sender_id="busy-browser", secret_hash="1" * 64)
        webchat.touch(session, sender_id="idle-browser", now=utcnow() - timedelta(days=31))
        webchat.touch(session, sender_id="busy-browser", now=utcnow() - timedelta(days=29))
    status, out, err = cli("desk", "purge", "--days", "30", "--json")
    assert status == 0, err
    assert json.loads(out)["webchat_sessions"] == 1
    with env.session(readonly=True) as session:
        assert webchat.find(session, sender_id="idle-browser") is None
        assert webchat.find(session, sender_id="busy-browser") is not None
