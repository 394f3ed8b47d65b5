"""Live desk updates: the SSE stream over real HTTP and the broker across threads."""

from __future__ import annotations

import asyncio
import json
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.desk import events
from tests.bot.desk.test_api_support import LiveDesk, StaffClient, live_desk


@pytest.fixture
def desk(tmp_path: Path, model_path: Path) -> Iterator[LiveDesk]:
    with live_desk(tmp_path, model_path, {"wang": "guide", "li": "guide"}) as live:
        yield live


class Listener:
    """Reads one desk's event stream in a thread until a "close" event; events land in a queue."""

    def __init__(self, staff: StaffClient) -> None:
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.comments: queue.Queue[str] = queue.Queue()
        self.ready = threading.Event()
        self.status = 0
        self.content_type = ""
        self._thread = threading.Thread(target=self._run, args=(staff,), daemon=True)
        self._thread.start()
        assert self.ready.wait(10), "the stream did not open"

    def _run(self, staff: StaffClient) -> None:
        with staff.http.stream("GET", "/desk/events", timeout=None) as response:
            self.status = response.status_code
            self.content_type = response.headers.get("content-type", "")
            for line in response.iter_lines():
                if line.startswith(":"):
                    self.comments.put(line)
                    self.ready.set()
                elif line.startswith("data: "):
                    event = json.loads(line.removeprefix("data: "))
                    self.events.put(event)
                    if event.get("action") == "close":
                        return  # leaving the block hangs up, as a closed desk tab does

    def next_matching(self, **wanted: Any) -> dict[str, Any]:
        while True:
            event = self.events.get(timeout=10)
            if all(event.get(k) == v for k, v in wanted.items()):
                return event

    def join(self) -> None:
        self._thread.join(timeout=10)
        assert not self._thread.is_alive()


def test_claim_reply_and_close_reach_an_open_desk_live(desk: LiveDesk) -> None:
    wang, li = desk.staff("wang"), desk.staff("li")
    watcher = Listener(li)
    assert watcher.status == 200 and watcher.content_type.startswith("text/event-stream")
    _, conversation_id = desk.handed_off("live-1")
    wang.action(conversation_id, "claim")
    claimed = watcher.next_matching(type="queue", action="claim")
    assert claimed["conversation_id"] == conversation_id
    wang.action(conversation_id, "messages", {"text": "您好"})
    assert watcher.next_matching(type="message")["conversation_id"] == conversation_id
    wang.action(conversation_id, "close")
    assert watcher.next_matching(type="queue", action="close")
    watcher.join()
    broker = desk.app.state.desk_events.broker  # the app's own, not a module global
    deadline = time.monotonic() + 10
    while broker.listeners and time.monotonic() < deadline:
        time.sleep(0.05)
    assert broker.listeners == 0  # the server let go of the closed stream


def test_handoff_and_litigant_messages_reach_an_open_desk_live(desk: LiveDesk) -> None:
    wang = desk.staff("wang")
    watcher = Listener(wang)
    litigant, conversation_id = desk.handed_off("live-2")
    assert watcher.next_matching(type="queue", action="handoff")["conversation_id"] == (
        conversation_id
    )
    litigant.say("我等着呢")
    assert watcher.next_matching(type="message")["conversation_id"] == conversation_id
    wang.action(conversation_id, "claim")
    wang.action(conversation_id, "close")
    watcher.next_matching(type="queue", action="close")
    watcher.join()


def test_the_stream_needs_a_login(desk: LiveDesk) -> None:
    response = httpx.get(f"{desk.url}/desk/events", timeout=10)
    assert response.status_code == 401 and response.json()["message"] == "请先登录"


def test_idle_stream_sends_heartbeats_and_ends_on_time() -> None:
    listeners = events.broker.listeners

    async def collect() -> list[str]:
        return [line async for line in events.stream(heartbeat=0.05, max_seconds=0.18)]

    lines = asyncio.run(collect())
    assert lines[0].startswith("retry: 2000\n: connected")
    assert lines[1:] and all(line == ": heartbeat\n\n" for line in lines[1:])
    assert events.broker.listeners == listeners  # the stream unsubscribed when it ended


def test_publish_from_another_thread_reaches_the_stream() -> None:
    async def first_event() -> str:
        stream = events.stream(heartbeat=5, max_seconds=5)
        await anext(stream)  # subscribed
        threading.Thread(target=events.publish, args=({"type": "queue"},)).start()
        line = await anext(stream)
        await stream.aclose()
        return line

    assert asyncio.run(first_event()) == 'event: queue\ndata: {"type": "queue"}\n\n'
