"""Messages that arrive at the same moment: one conversation row, one stored delivery."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from sqlalchemy import func, select

from bot.storage import repo, turns
from bot.storage.db import Database
from bot.storage.models import Conversation, Message
from bot.storage.turns import StoreError

T = TypeVar("T")
THREADS = 8


def _at_once(work: Callable[[int], T]) -> list[T]:
    """Run ``work(i)`` in THREADS threads released together by a barrier."""
    barrier = threading.Barrier(THREADS)

    def start(i: int) -> T:
        barrier.wait(timeout=30)
        return work(i)

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(start, range(THREADS)))


def test_first_messages_at_once_create_one_conversation(db: Database) -> None:
    def first_message(i: int) -> int:
        with db.session() as session:
            conversation = repo.get_or_create_conversation(
                session, channel="telegram", sender_id="777"
            )
            repo.add_inbound(session, conversation=conversation, text=f"消息{i}", parse=None)
            return conversation.id

    ids = _at_once(first_message)

    assert len(set(ids)) == 1
    with db.session(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 1
        seqs = [m.seq for m in repo.transcript(session, conversation_id=ids[0])]
        assert seqs == list(range(1, THREADS + 1))


def test_without_the_row_lock_creation_is_still_race_safe(db: Database) -> None:
    def first_message(i: int) -> int:
        with db.session() as session:
            conversation = repo.get_or_create_conversation(
                session, channel="rest", sender_id="no-lock", lock=False
            )
            repo.add_outbound(session, conversation=conversation, text=f"回复{i}", payload=None)
            return conversation.id

    assert len(set(_at_once(first_message))) == 1
    with db.session(readonly=True) as session:
        pulled = repo.messages_after(session, channel="rest", sender_id="no-lock", after=0)
        assert sorted(m.seq for m in pulled) == list(range(1, THREADS + 1))


def test_a_delivery_retried_at_once_is_stored_once(db: Database) -> None:
    with db.session() as session:
        repo.get_or_create_conversation(session, channel="wechat", sender_id="openid-1")

    def deliver(_: int) -> bool:
        with db.session() as session:
            conversation = repo.get_or_create_conversation(
                session, channel="wechat", sender_id="openid-1", lock=False
            )
            stored = repo.add_inbound(
                session, conversation=conversation, text="你好", parse=None, external_id="9001"
            )
            return stored is not None

    assert sorted(_at_once(deliver)) == [False] * (THREADS - 1) + [True]
    with db.session(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 1


def test_a_conflict_that_is_not_a_race_fails_instead_of_looping(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every try "loses the race" to create the conversation: after a few tries the store
    # refuses (the webhook answers 500 and the platform retries) instead of spinning.
    monkeypatch.setattr(turns, "_create_conversation", lambda *args: None)
    with pytest.raises(StoreError, match="attempts"), db.session() as session:
        turns.record_inbound(session, channel="rest", sender_id="nobody", text="你好", parse=None)
