"""Two server instances on one PostgreSQL: a handoff on A reaches the desk open on B at
once, through LISTEN/NOTIFY, and each desk sees each event once (issue 13, item 8)."""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import make_url

from bot.desk.accounts import add_staff
from bot.desk.events import DeskEvents
from bot.serving import free_port, serve_in_thread
from bot.storage.notify import PostgresRelay
from tests.bot.desk.test_api_support import PASSWORD, LiveDesk, StaffClient, desk_app, desk_settings
from tests.bot.desk.test_events import Listener
from tests.databases import fresh_schema_url
from tests.fakes.tcp_proxy import TcpProxy


@pytest.fixture
def instances(tmp_path: Path, model_path: Path) -> Iterator[tuple[LiveDesk, LiveDesk]]:
    url = fresh_schema_url()  # one schema, two apps: two instances of one deployment
    with ExitStack() as stack:
        desks = []
        for _ in range(2):
            port = free_port()
            settings = desk_settings(tmp_path, model_path, port).model_copy(
                update={"database_url": url, "recovery_interval_seconds": 0}
            )
            app = desk_app(settings)
            served = stack.enter_context(serve_in_thread(app, port=port))
            desks.append(LiveDesk(served, app, app.state.db))
        with desks[0].database.session() as session:
            add_staff(session, "wang", PASSWORD, "guide")
        for desk in desks:
            relay = desk.app.state.desk_events.relay
            assert isinstance(relay, PostgresRelay) and relay.listening.wait(10)
        yield desks[0], desks[1]


def test_a_handoff_on_one_instance_reaches_the_desk_on_the_other_live(
    instances: tuple[LiveDesk, LiveDesk],
) -> None:
    a, b = instances
    on_a, on_b = Listener(StaffClient(a.url, "wang")), Listener(StaffClient(b.url, "wang"))
    _, conversation_id = a.handed_off("two-instances-1")
    assert on_b.next_matching(type="queue", action="handoff")["conversation_id"] == (
        conversation_id
    )
    assert on_a.next_matching(type="queue", action="handoff")["conversation_id"] == (
        conversation_id
    )
    # And back: B's claim and close reach A; neither desk gets an event twice.
    staff_b = StaffClient(b.url, "wang")
    assert staff_b.action(conversation_id, "claim").status_code == 200
    assert staff_b.action(conversation_id, "close").status_code == 200
    for listener in (on_a, on_b):
        seen = [listener.next_matching(type="queue")]
        while seen[-1].get("action") != "close":
            seen.append(listener.next_matching(type="queue"))
        assert [e["action"] for e in seen] == ["claim", "close"]  # the handoff came once
        listener.join()
        with pytest.raises(queue.Empty):
            listener.events.get_nowait()


def test_an_sqlite_app_keeps_the_in_process_broker(tmp_path: Path) -> None:
    from bot.storage.db import Database
    from bot.storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'one.db'}"
    upgrade(url)
    assert DeskEvents(Database(url)).relay is None


def test_the_listener_comes_back_after_the_database_went_away(
    tmp_path: Path, model_path: Path
) -> None:
    """B reaches PostgreSQL through a proxy that is cut and restored, as by a restart."""
    url = make_url(fresh_schema_url())
    proxy = TcpProxy(url.host or "127.0.0.1", int(url.port or 5432))
    proxy.up()
    through_proxy = url.set(host="127.0.0.1", port=proxy.port)
    urls = [url.render_as_string(hide_password=False)]
    urls.append(through_proxy.render_as_string(hide_password=False))
    try:
        with ExitStack() as stack:
            desks = []
            for database_url in urls:
                port = free_port()
                settings = desk_settings(tmp_path, model_path, port).model_copy(
                    update={"database_url": database_url, "recovery_interval_seconds": 0}
                )
                app = desk_app(settings)
                served = stack.enter_context(serve_in_thread(app, port=port))
                desks.append(LiveDesk(served, app, app.state.db))
            a, b = desks
            with a.database.session() as session:
                add_staff(session, "wang", PASSWORD, "guide")
            relay = b.app.state.desk_events.relay
            assert relay.listening.wait(10)
            on_b = Listener(StaffClient(b.url, "wang"))
            proxy.down()
            deadline = time.monotonic() + 30
            while relay.listening.is_set() and time.monotonic() < deadline:
                time.sleep(0.05)  # until B's listener noticed the cut
            assert not relay.listening.is_set()
            proxy.up()
            on_b.next_matching(type="queue", action="resync")  # back, and desks reload
            _, conversation_id = a.handed_off("after-the-cut")
            handoff = on_b.next_matching(type="queue", action="handoff")
            assert handoff["conversation_id"] == conversation_id
            staff_a = StaffClient(a.url, "wang")
            staff_a.action(conversation_id, "claim")
            staff_a.action(conversation_id, "close")
            on_b.next_matching(type="queue", action="close")
            on_b.join()  # the stream ends with the close, before the servers stop
    finally:
        proxy.down()
