"""A court that never answers does not starve everybody (issue 13, item 9).

Sixty litigants look up a case at once against a court API that accepts the connection
and never replies; a bystander's "你好" is answered while the look-ups that reached the
court are still waiting on it. At most ``court_max_in_flight`` look-ups wait on the
court; the others are told 系统繁忙 at once. Asserted on order and completion only:
the hanging look-ups are released by the test, not by a clock.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.app import create_app
from bot.serving import free_port, serve_in_thread
from dialogs.texts import BUSY
from tests.bot.rest_live import CASE, live_settings

LOOKUPS = 60
LIMIT = 16
#: Only a guard against a hung test; the assertions are about order, not time.
GUARD_SECONDS = 60.0


class BlackHole:
    """A loopback server that accepts connections and never answers, until released."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=256)
        self.port: int = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.changed = threading.Condition()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self.changed:
                self.accepted.append(client)
                self.changed.notify_all()

    def wait_for(self, count: int) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: len(self.accepted) >= count, GUARD_SECONDS)

    def release(self) -> None:
        """Close everything: waiting look-ups fail (and their retry is refused)."""
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        with self.changed:
            for client in self.accepted:
                client.close()


@pytest.fixture
def black_hole() -> Iterator[BlackHole]:
    hole = BlackHole()
    yield hole
    hole.release()


def test_a_bystander_is_answered_while_lookups_hang(
    tmp_path: Path, model_path: Path, black_hole: BlackHole
) -> None:
    port = free_port()
    settings = live_settings(tmp_path, model_path, port).model_copy(
        update={
            "court_api_url": f"http://127.0.0.1:{black_hole.port}",
            "court_max_in_flight": LIMIT,
            "recovery_interval_seconds": 0,
        }
    )
    app = create_app(settings)
    # The 3 s budget would end the wait by itself; here only the test ends it.
    app.state.conversations.engine.court.timeout = 10 * GUARD_SECONDS
    finished: list[str] = []
    answers: dict[str, str] = {}
    done = threading.Condition()

    def say(url: str, sender: str, text: str) -> str:
        body = {"sender": sender, "message": text}
        response = httpx.post(f"{url}/webhooks/rest/webhook", json=body, timeout=None)
        assert response.status_code == 200, response.text
        return "\n".join(m.get("text", "") for m in response.json())

    def lookup(url: str, sender: str) -> None:
        answer = say(url, sender, CASE["query_code"])
        with done:
            finished.append(sender)
            answers[sender] = answer
            done.notify_all()

    with serve_in_thread(app, port=port) as url:
        senders = [f"lookup-{i}" for i in range(LOOKUPS)]
        for sender in senders:
            assert "查询码" in say(url, sender, CASE["case_number"])
        threads = [threading.Thread(target=lookup, args=(url, s)) for s in senders]
        for thread in threads:
            thread.start()
        assert black_hole.wait_for(LIMIT), "the look-ups never reached the court"
        with done:  # those beyond the limit are answered at once, without the court
            refused = done.wait_for(lambda: len(finished) == LOOKUPS - LIMIT, GUARD_SECONDS)
            assert refused, f"{len(finished)} look-ups answered while the court hangs"
        bystander = threading.Thread(
            target=lambda: answers.__setitem__("bystander", say(url, "bystander", "你好"))
        )
        bystander.start()
        bystander.join(GUARD_SECONDS)
        with done:
            assert "bystander" in answers, "the bystander waited for the hanging court"
            pending = LOOKUPS - len(finished)
        assert len(black_hole.accepted) == LIMIT  # no more than the limit waited on the court
        assert pending == LIMIT  # the bystander was answered while these still waited
        black_hole.release()
        for thread in threads:
            thread.join(GUARD_SECONDS)
    assert len(finished) == LOOKUPS
    assert all(BUSY in answers[s] for s in senders)  # every look-up still got an answer
