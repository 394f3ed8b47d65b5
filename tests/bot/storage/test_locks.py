"""Turns of one conversation run one at a time even across processes (PostgreSQL advisory locks)."""

from __future__ import annotations

import threading
import time

from bot.storage.db import Database
from bot.storage.locks import ConversationLocks, advisory_key, try_lease


def test_advisory_keys_are_stable_and_distinct() -> None:
    assert advisory_key("wechat", "o1") == advisory_key("wechat", "o1")
    assert advisory_key("wechat", "o1") != advisory_key("telegram", "o1")
    assert -(2**63) <= advisory_key("rest", "x" * 200) < 2**63


def test_two_processes_take_turns_on_one_conversation(postgres_url: str) -> None:
    # Two Database objects stand for two server processes: nothing in memory is shared.
    first, second = Database(postgres_url), Database(postgres_url)
    try:
        in_first, in_second = ConversationLocks(first), ConversationLocks(second)
        events: list[str] = []
        entered = threading.Event()

        def first_turn() -> None:
            with in_first.hold("wechat", "same-user"):
                entered.set()
                time.sleep(0.5)
                events.append("first turn stored")

        worker = threading.Thread(target=first_turn)
        worker.start()
        assert entered.wait(10)
        started = time.monotonic()
        with in_second.hold("wechat", "another-user"):  # other litigants do not wait
            assert time.monotonic() - started < 0.4
            events.append("other user answered")
        with in_second.hold("wechat", "same-user"):
            events.append("second turn started")
        worker.join(10)
        assert events == ["other user answered", "first turn stored", "second turn started"]
    finally:
        first.dispose()
        second.dispose()


def test_a_lease_is_held_by_one_process_at_a_time(postgres_url: str) -> None:
    first, second = Database(postgres_url), Database(postgres_url)
    try:
        mine = try_lease(first, "delivery", 42)
        assert mine is not None
        assert try_lease(second, "delivery", 42) is None  # the other process leaves it alone
        other = try_lease(second, "delivery", 43)
        assert other is not None
        other.release()
        mine.release()
        again = try_lease(second, "delivery", 42)
        assert again is not None
        again.release()
    finally:
        first.dispose()
        second.dispose()
