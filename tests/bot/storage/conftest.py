"""Store fixtures: every test runs on a real SQLite file and, when a server is given, PostgreSQL.

PostgreSQL runs when YICHUANG_TEST_POSTGRES_URL names a server (each test gets
its own schema, dropped afterwards); it is skipped with the reason otherwise,
and under CI=true a missing server is a failure (contracts.md §6).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.storage.db import Database, make_engine
from bot.storage.migrate import upgrade

POSTGRES_ENV = "YICHUANG_TEST_POSTGRES_URL"


def postgres_server_url() -> str:
    """The test server's URL; skip (or fail under CI=true) without one."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if url:
        return url
    reason = (
        f"PostgreSQL tests need {POSTGRES_ENV}, "
        "e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"CI=true and {POSTGRES_ENV} is not set: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose search_path is a fresh schema on the test server."""
    server = postgres_server_url()
    schema = f"yc_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file in a directory that does not exist yet, or a schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'yichuang.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """The store migrated to the newest revision."""
    upgrade(db_url)
    database = Database(db_url)
    yield database
    database.dispose()
