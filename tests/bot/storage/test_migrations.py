"""The schema comes from the migrations alone, and they match the models."""

from __future__ import annotations

from sqlalchemy import inspect

from bot.storage import repo
from bot.storage.db import Database, make_engine
from bot.storage.migrate import (
    HEAD,
    current,
    downgrade,
    head,
    pending_model_changes,
    upgrade,
)

TABLES = {"conversations", "messages", "audit_events"}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_to_head_creates_the_schema(db_url: str) -> None:
    assert current(db_url) is None
    upgrade(db_url)
    assert _tables(db_url) >= TABLES
    assert current(db_url) == head()


def test_upgrade_twice_changes_nothing(db_url: str) -> None:
    upgrade(db_url)
    upgrade(db_url)
    assert current(db_url) == head()


def test_the_quick_head_check_knows_the_newest_migration() -> None:
    # upgrade() skips Alembic for a database at HEAD: a new migration must move HEAD.
    assert head() == HEAD


def test_a_database_one_step_behind_is_still_upgraded(db_url: str) -> None:
    upgrade(db_url, "0002")
    upgrade(db_url)
    assert current(db_url) == head()


def test_downgrade_to_base_and_up_again(db_url: str) -> None:
    upgrade(db_url)
    downgrade(db_url, "base")
    assert current(db_url) is None
    assert not TABLES & _tables(db_url)
    upgrade(db_url)
    database = Database(db_url)
    try:
        with database.session() as session:
            conversation = repo.get_or_create_conversation(
                session, channel="rest", sender_id="after-reupgrade"
            )
            repo.add_outbound(session, conversation=conversation, text="您好", payload=None)
        with database.session(readonly=True) as session:
            pulled = repo.messages_after(
                session, channel="rest", sender_id="after-reupgrade", after=0
            )
            assert [m.text for m in pulled] == ["您好"]
    finally:
        database.dispose()


def test_autogenerate_finds_no_difference_to_the_models(db_url: str) -> None:
    upgrade(db_url)
    assert pending_model_changes(db_url) == []
