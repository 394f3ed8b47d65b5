"""Which database the app-level tests run on: SQLite files, or fresh PostgreSQL schemas.

``make test`` runs everything on SQLite; ``make test-postgres`` (CI) runs the
app, channel, desk and browser tests again with ``YICHUANG_TEST_DATABASE=postgresql``,
each test server in a schema of its own on ``YICHUANG_TEST_POSTGRES_URL``.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import Row, make_url, text

from bot.storage.db import make_engine
from tests.environment import unavailable

POSTGRES_ENV = "YICHUANG_TEST_POSTGRES_URL"
BACKEND_ENV = "YICHUANG_TEST_DATABASE"
#: Schemas this test run created, dropped at its end (tests/conftest.py).
CREATED: list[str] = []


def postgres_server_url() -> str:
    """The test server's URL; skip (or fail under CI=true) without one."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if url:
        return url
    reason = (
        f"PostgreSQL tests need {POSTGRES_ENV}, "
        "e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    unavailable(reason)


def fresh_schema_url() -> str:
    """A URL whose search_path is a new, empty schema on the test server (dropped at the end)."""
    server = postgres_server_url()
    schema = f"yc_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        admin.dispose()
    CREATED.append(schema)
    url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def drop_schema(schema: str) -> None:
    admin = make_engine(postgres_server_url())
    try:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()


def on_postgres() -> bool:
    return os.environ.get(BACKEND_ENV, "sqlite").strip().lower() in ("postgres", "postgresql")


def app_database_url(directory: Path, name: str) -> str:
    """The database URL for one test app: ``directory/name`` on SQLite, else a fresh schema."""
    if on_postgres():
        return fresh_schema_url()
    return f"sqlite:///{directory / name}"


def stored_rows(url: str, query: str, **params: object) -> list[Row[object]]:
    """Rows of a SQL query on the app's database, read the way an auditor would."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(query), params).fetchall())
    finally:
        engine.dispose()
