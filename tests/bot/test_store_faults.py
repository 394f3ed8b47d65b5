"""The database cannot take a message: 503 and a clear Chinese answer, nothing half-stored,
and the resend (same message id, as platforms and the web chat retry) is answered once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, make_url, select

from bot.app import STORE_UNAVAILABLE, create_app
from bot.serving import free_port, serve_in_thread
from bot.storage.models import Message
from tests.bot.rest_live import live_settings
from tests.databases import fresh_schema_url
from tests.fakes.tcp_proxy import TcpProxy

BIG = "我想问一下起诉的事情。" * 400  # needs new database pages when it is stored


def post(url: str, text: str, message_id: str, sender: str = "fault-1") -> httpx.Response:
    body = {"sender": sender, "message": text, "metadata": {"message_id": message_id}}
    return httpx.post(f"{url}/webhooks/rest/webhook", json=body, timeout=30)


def inbound_count(app: Any) -> int:
    with app.state.db.session(readonly=True) as session:
        return int(session.scalar(select(func.count()).where(Message.direction == "in")) or 0)


def serve(settings: Any) -> Any:
    port = int(make_url(settings.local_url).port or 0)
    return serve_in_thread(create_app(settings), port=port)


@pytest.fixture
def sqlite_app(tmp_path: Path, model_path: Path) -> Iterator[tuple[str, Any]]:
    port = free_port()
    settings = live_settings(tmp_path, model_path, port).model_copy(
        update={"database_url": f"sqlite:///{tmp_path / 'full.db'}"}
    )
    app = create_app(settings)
    with serve_in_thread(app, port=port) as url:
        yield url, app


def test_a_full_disk_gets_503_and_the_resend_is_answered_once(
    sqlite_app: tuple[str, Any],
) -> None:
    url, app = sqlite_app
    assert post(url, "你好", "m-before-full-1").status_code == 200
    engine = app.state.db.engine

    def no_room(connection: Any, _record: Any) -> None:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(engine, "connect", no_room)
    engine.dispose()  # every new connection sees a full disk (SQLITE_FULL)
    before = inbound_count(app)
    refused = post(url, BIG, "m-full-0001")
    assert refused.status_code == 503
    assert refused.json() == {"message": STORE_UNAVAILABLE}
    assert refused.headers["Retry-After"] == "5"
    event.remove(engine, "connect", no_room)
    engine.dispose()
    assert inbound_count(app) == before  # nothing half-stored
    answered = post(url, BIG, "m-full-0001")
    assert answered.status_code == 200 and answered.json()
    again = post(url, BIG, "m-full-0001")  # a resend after the answer: the same answer
    assert again.json() == answered.json()
    assert inbound_count(app) == before + 1


def test_database_down_gives_503_and_health_says_so_then_recovers(
    tmp_path: Path, model_path: Path
) -> None:
    database = make_url(fresh_schema_url())
    proxy = TcpProxy(database.host or "127.0.0.1", int(database.port or 5432))
    proxy.up()
    port = free_port()
    settings = live_settings(tmp_path, model_path, port).model_copy(
        update={"database_url": database.set(host="127.0.0.1", port=proxy.port).render_as_string(
            hide_password=False
        )}
    )  # fmt: skip
    try:
        with serve(settings) as url:
            assert post(url, "你好", "m-up-000001").status_code == 200
            proxy.down()
            refused = post(url, "诉讼费怎么算", "m-down-00001")
            assert refused.status_code == 503
            assert refused.json()["message"] == STORE_UNAVAILABLE
            health = httpx.get(f"{url}/health", timeout=30)
            assert health.status_code == 503 and health.json()["database"] is False
            proxy.up()
            statuses = []
            for _ in range(5):  # a platform retries until it gets 2xx
                response = post(url, "诉讼费怎么算", "m-down-00001")
                statuses.append(response.status_code)
                if response.status_code == 200:
                    break
            assert statuses[-1] == 200 and set(statuses) <= {200, 503}
            assert "哪一类" in response.json()[0]["text"]
            pulled = httpx.get(f"{url}/webhooks/rest/messages", params={"sender": "fault-1"})
            assert sum("哪一类" in m.get("text", "") for m in pulled.json()) == 1
    finally:
        proxy.down()
