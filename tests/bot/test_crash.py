"""kill -9 in the middle of a turn: after a restart the litigant still gets exactly one answer.

A real ``yichuang serve`` process is killed with SIGKILL while its turn waits
for a (deliberately slow) court API, after the message was stored. The next
process's recovery pass answers it; the web chat pulls the answer.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest

from bot.court.simulator import create_simulator
from bot.serving import free_port, serve_in_thread
from tests.serve_process import ROOT, serve_process, wait_for

CASE = json.loads((ROOT / "bot/court/demo_cases.json").read_text("utf-8"))["cases"][0]


#: The key of the court simulator the tests run for the servers they kill.
COURT_KEY = "crash-test-court-key"


@pytest.fixture
def court() -> Iterator[str]:
    """A court simulator that outlives the killed server (the app's own is unreachable)."""
    with serve_in_thread(create_simulator(None, COURT_KEY, faults=True)) as url:
        yield url


def set_fault(court_url: str, faults: dict[str, float]) -> None:
    answer = httpx.put(f"{court_url}/_sim/faults", json=faults, headers={"X-API-Key": COURT_KEY})
    assert answer.status_code in (200, 204)


@contextmanager
def server(
    tmp_path: Path, model_path: Path, port: int, court_url: str
) -> Iterator[subprocess.Popen[bytes]]:
    recovering = {
        "YICHUANG_COURT_API_URL": court_url,
        "YICHUANG_COURT_API_KEY": COURT_KEY,
        "YICHUANG_RECOVERY_INTERVAL_SECONDS": "0.3",
        "YICHUANG_RECOVERY_GRACE_SECONDS": "0",
    }
    database = f"sqlite:///{tmp_path / 'crash.db'}"
    with serve_process(tmp_path, model_path, port, database_url=database, env=recovering) as p:
        yield p


def say(url: str, text: str) -> list[str]:
    body = {"sender": "crash-1", "message": text}
    response = httpx.post(f"{url}/webhooks/rest/webhook", json=body, timeout=30)
    assert response.status_code == 200, response.text
    return [m.get("text", "") for m in response.json()]


def stored_unanswered(database: Path, text: str) -> bool:
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT count(*) FROM messages WHERE direction = 'in' AND answered_at IS NULL"
            " AND pending_text = ?",
            (text,),
        ).fetchone()
    return bool(row[0])


def test_a_turn_killed_mid_way_is_answered_after_restart(
    tmp_path: Path, model_path: Path, court: str
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with server(tmp_path, model_path, port, court) as first:
        say(url, "查案件进度")
        assert any("查询码" in t for t in say(url, CASE["case_number"]))
        seq_before = len(httpx.get(f"{url}/webhooks/rest/messages?sender=crash-1").json())
        set_fault(court, {"delay_seconds": 20, "times": 1})
        hanging = threading.Thread(
            target=lambda: _swallow(lambda: say(url, CASE["query_code"])), daemon=True
        )
        hanging.start()
        wait_for(
            lambda: stored_unanswered(tmp_path / "crash.db", CASE["query_code"]), 10, "the row"
        )
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    with server(tmp_path, model_path, port, court):

        def answers() -> list[str]:
            pulled = httpx.get(f"{url}/webhooks/rest/messages?sender=crash-1").json()
            return [m.get("text", "") for m in pulled[seq_before:]]

        wait_for(lambda: any(CASE["stage"] in t for t in answers()), 30, "the recovered answer")
        time.sleep(1.0)  # further passes must not answer it again
        assert sum(CASE["stage"] in t for t in answers()) == 1
        assert not stored_unanswered(tmp_path / "crash.db", CASE["query_code"])


def _swallow(call: Callable[[], object]) -> None:
    with suppress(httpx.HTTPError, AssertionError):  # the server was killed under this request
        call()


def answered_state(database: Path) -> tuple[int, int, int]:
    """(inbound stored, inbound answered, inbound with at least one stored reply)."""
    with sqlite3.connect(database) as connection:
        stored, answered = connection.execute(
            "SELECT count(*), count(answered_at) FROM messages WHERE direction = 'in'"
        ).fetchone()
        replied = connection.execute(
            "SELECT count(DISTINCT reply_to) FROM messages WHERE reply_to IS NOT NULL"
        ).fetchone()[0]
    return int(stored), int(answered), int(replied)


def test_kill_in_the_middle_of_a_burst_loses_no_accepted_message(
    tmp_path: Path, model_path: Path, court: str
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    database = tmp_path / "crash.db"
    questions = ["诉讼费怎么算", "怎么申请执行", "离婚起诉要带什么材料", "你好", "上诉期是多久"]
    with server(tmp_path, model_path, port, court) as first:
        set_fault(court, {"delay_seconds": 2})  # turns that reach the court are in flight

        def litigant(index: int) -> None:
            sender = f"burst-{index}"
            with suppress(httpx.HTTPError):
                for text in ("查案件进度", CASE["case_number"], CASE["query_code"], *questions):
                    body = {"sender": sender, "message": text}
                    httpx.post(f"{url}/webhooks/rest/webhook", json=body, timeout=30)

        threads = [threading.Thread(target=litigant, args=(i,), daemon=True) for i in range(12)]
        for thread in threads:
            thread.start()
        wait_for(lambda: answered_state(database)[0] >= 30, 60, "a burst under way")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        for thread in threads:
            thread.join(timeout=40)
    stored, answered, _ = answered_state(database)
    assert stored > answered  # the kill did leave accepted messages unanswered
    with server(tmp_path, model_path, port, court):
        wait_for(lambda: answered_state(database)[1] == stored, 60, "every message answered")
        time.sleep(1.0)
        stored_after, answered_after, replied = answered_state(database)
    assert stored_after == answered_after == stored
    assert replied == stored  # each accepted message got its own answer
