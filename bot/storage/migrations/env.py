"""Alembic environment: the URL comes from the caller (bot.storage.migrate) or Settings.

No alembic.ini: ``bot.storage.migrate.alembic_config(url)`` builds the
configuration in code, so migrations run the same from the CLI, at start-up
and in tests.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.storage.db import is_sqlite, make_engine
from bot.storage.migrate import CONTEXT_OPTIONS, render_item
from bot.storage.models import Base

config = context.config


def _url() -> str:
    url = config.attributes.get("url")
    if url is None:
        from bot.settings import Settings

        url = Settings().database_url
    return str(url)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_item=render_item,
        **CONTEXT_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    """``--sql`` mode: print the DDL instead of running it."""
    context.configure(
        url=_url(),
        target_metadata=Base.metadata,
        literal_binds=True,
        render_item=render_item,
        **CONTEXT_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = _url()
    # Foreign keys off on SQLite while tables are copied by batch operations;
    # checked again below before the connection is released.
    engine = make_engine(url, sqlite_foreign_keys=False)
    try:
        with engine.connect() as connection:
            _run(connection)
            if is_sqlite(url):
                broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
                connection.rollback()
                if broken:
                    raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
