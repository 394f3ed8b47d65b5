"""A 503 means "not stored" (issue 13, item 7). Once a message is stored, a store failure
before its answer is stored gets "received" (200), the recovery pass answers it, and a
newer message of the same conversation first answers the owed one, so the answers keep
the order of the messages. Runs on SQLite and (YICHUANG_TEST_DATABASE=postgresql) on
PostgreSQL; the cut test needs PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import make_url

from bot.app import create_app
from bot.conversation import RECEIVED
from bot.recovery import Report
from bot.serving import free_port, serve_in_thread
from tests.bot.channels.wechat_live import live_wechat
from tests.bot.rest_live import Live, live_settings
from tests.bot.store_failures import fail_once
from tests.databases import fresh_schema_url
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.wechat_server import msg_id

FEE = "诉讼费怎么算"  # answered with "…哪一类…"


def post(live: Live, text: str, message_id: str, sender: str = "owed-1") -> httpx.Response:
    body = {"sender": sender, "message": text, "metadata": {"message_id": message_id}}
    return httpx.post(f"{live.url}/webhooks/rest/webhook", json=body, timeout=30)


def recover(app: Any) -> Report:
    report: Report = asyncio.run(app.state.recovery.run_once())
    return report


def answers(live: Live, sender: str = "owed-1") -> list[str]:
    return [m.get("text", "") for m in live.pull(sender)]


@contextmanager
def serve(settings: Any) -> Iterator[tuple[Live, Any]]:
    port = int(make_url(settings.local_url).port or 0)
    app = create_app(settings)
    with serve_in_thread(app, port=port) as url:
        yield Live(url, settings), app


@pytest.fixture
def rest(tmp_path: Path, model_path: Path) -> Iterator[tuple[Live, Any]]:
    settings = live_settings(tmp_path, model_path, free_port()).model_copy(
        update={"recovery_interval_seconds": 0, "recovery_grace_seconds": 0}
    )
    with serve(settings) as served:
        yield served


def test_stored_but_unanswered_is_received_not_503_and_recovery_answers(
    rest: tuple[Live, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    live, app = rest
    fail_once(monkeypatch)
    response = post(live, FEE, "m-owed-0001")
    assert response.status_code == 200, response.text
    assert [m["text"] for m in response.json()] == [RECEIVED]
    assert answers(live) == []  # stored, its answer not yet
    assert recover(app).answered == 1
    (answer,) = answers(live)
    assert "哪一类" in answer
    resend = post(live, FEE, "m-owed-0001")  # a resend gets the stored answer, once
    assert [m["text"] for m in resend.json()] == [answer]
    assert recover(app) == Report()


def test_a_newer_message_answers_the_owed_one_first(
    rest: tuple[Live, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    live, app = rest
    fail_once(monkeypatch)
    assert [m["text"] for m in post(live, FEE, "m-owed-0002").json()] == [RECEIVED]
    response = post(live, "你好", "m-owed-0003")
    assert response.status_code == 200
    texts = [m["text"] for m in response.json()]
    assert len(texts) >= 2 and "哪一类" in texts[0]  # the owed answer first, then its own
    stored = answers(live)
    assert stored == texts  # stored in the same order (seq), so every channel shows it so
    assert recover(app) == Report()  # nothing left owed


def test_a_postgres_cut_between_commit_and_answer(tmp_path: Path, model_path: Path) -> None:
    """A real connection cut: the proxy goes down while the dialogs run, after the commit."""
    database = make_url(fresh_schema_url())
    proxy = TcpProxy(database.host or "127.0.0.1", int(database.port or 5432))
    proxy.up()
    url = database.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    settings = live_settings(tmp_path, model_path, free_port()).model_copy(
        update={"database_url": url, "recovery_interval_seconds": 0}
    )
    try:
        with serve(settings) as (live, app):
            assert post(live, "你好", "m-cut-00001").status_code == 200
            engine = app.state.conversations.engine
            real = engine.turn

            def turn(*args: Any, **kwargs: Any) -> Any:
                engine.turn = real
                proxy.down()  # the message is committed; the answer will not be
                return real(*args, **kwargs)

            engine.turn = turn
            refused = post(live, FEE, "m-cut-00002")
            assert refused.status_code == 200, refused.text
            assert [m["text"] for m in refused.json()] == [RECEIVED]
            proxy.up()
            later = post(live, "怎么立案", "m-cut-00003")
            assert later.status_code == 200, later.text
            texts = [m["text"] for m in later.json()]
            assert len(texts) >= 2 and "哪一类" in texts[0]
    finally:
        proxy.down()


def test_wechat_answers_keep_their_order_after_a_failed_answer(
    tmp_path: Path, model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The owed answer and the new one both go out as 客服消息, the owed one first; the
    new one's passive reply must not overtake it."""
    with live_wechat(tmp_path, model_path) as live:
        fail_once(monkeypatch)
        assert "稍后" in live.say("u-order", FEE, msg_id("order-1"))  # received, not "resend"
        second = live.say("u-order", "你好", msg_id("order-2"))
        assert second == ""  # "success": the answers follow in order
        live.app.state.wechat.outbox.drain()
        sent = live.wechat.sent_to("u-order")
        assert len(sent) >= 2 and "哪一类" in sent[0]
        assert all("哪一类" not in text for text in sent[1:])
        assert recover(live.app) == Report()  # nothing owed, nothing sent twice
        live.app.state.wechat.outbox.drain()
        assert live.wechat.sent_to("u-order") == sent


def test_an_owed_message_whose_turn_keeps_failing_does_not_block_the_next(
    rest: tuple[Live, Any],
) -> None:
    live, app = rest
    engine = app.state.conversations.engine
    real = engine.turn

    def turn(state: Any, parse: dict[str, Any], now: Any, **kwargs: Any) -> Any:
        if parse.get("text") == "坏消息测试":
            raise RuntimeError("a bug in the dialogs, not the store")
        return real(state, parse, now, **kwargs)

    engine.turn = turn
    assert post(live, "坏消息测试", "m-poison-01").status_code == 500  # stored, owed
    answered = post(live, "诉讼费怎么算", "m-poison-02")
    assert answered.status_code == 200
    assert ["哪一类" in m["text"] for m in answered.json()] == [True]
