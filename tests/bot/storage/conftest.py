"""Store fixtures: every test runs on a real SQLite file and, when a server is given, PostgreSQL.

PostgreSQL runs when YICHUANG_TEST_POSTGRES_URL names a server (each test gets
its own schema, dropped afterwards); it is skipped with the reason otherwise,
and under CI=true a missing server is a failure (contracts.md §6).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage.db import Database
from bot.storage.migrate import upgrade
from tests.databases import CREATED, drop_schema, fresh_schema_url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose search_path is a fresh schema on the test server."""
    url = fresh_schema_url()
    schema = CREATED.pop()  # dropped right here, not at the end of the run
    yield url
    drop_schema(schema)


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
