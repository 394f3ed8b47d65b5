"""The embedded SQLite database is set up for a small server: WAL, foreign keys, a busy timeout."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import func, select, text

from bot.storage import repo
from bot.storage.db import SQLITE_BUSY_TIMEOUT_MS, Database
from bot.storage.migrate import upgrade
from bot.storage.models import Message


def test_sqlite_file_in_a_new_directory_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "var" / "deep" / "yichuang.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    assert path.is_file()
    database = Database(url)
    try:
        with database.session() as session:
            connection = session.connection()
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            busy = connection.execute(text("PRAGMA busy_timeout")).scalar()
            assert busy == SQLITE_BUSY_TIMEOUT_MS
            conversation = repo.get_or_create_conversation(session, channel="rest", sender_id="a")
            repo.add_outbound(session, conversation=conversation, text="您好", payload=None)
        with database.session() as session:
            # Enforced foreign keys: deleting the conversation takes its messages along.
            session.execute(text("DELETE FROM conversations"))
            assert session.scalar(select(func.count()).select_from(Message)) == 0
        assert database.ping()
    finally:
        database.dispose()


def test_in_memory_database_is_shared_by_sessions() -> None:
    database = Database("sqlite://")
    try:
        from bot.storage.models import Base

        Base.metadata.create_all(database.engine)
        with database.session() as session:
            repo.get_or_create_conversation(session, channel="rest", sender_id="m")
        with database.session(readonly=True) as session:
            assert repo.find_conversation(session, channel="rest", sender_id="m") is not None
    finally:
        database.dispose()


def test_reads_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'y.db'}"
    upgrade(url)
    database = Database(url)
    try:
        with database.session() as session:
            conversation = repo.get_or_create_conversation(session, channel="rest", sender_id="r")
            repo.add_outbound(session, conversation=conversation, text="第一条", payload=None)
        with database.session() as writer:
            # The writer holds SQLite's write lock (BEGIN IMMEDIATE) ...
            conversation = repo.get_or_create_conversation(writer, channel="rest", sender_id="r")
            repo.add_outbound(writer, conversation=conversation, text="还没提交", payload=None)
            started = time.monotonic()
            # ... and the pull endpoint still answers at once, with committed messages only.
            with database.session(readonly=True) as reader:
                pulled = repo.messages_after(reader, channel="rest", sender_id="r", after=0)
            assert [m.text for m in pulled] == ["第一条"]
            assert time.monotonic() - started < 2
    finally:
        database.dispose()
