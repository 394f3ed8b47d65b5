"""Desk fixtures: the real app on a loopback port, a real SQLite file, a clock tests can move."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bot.app import create_app
from bot.desk.accounts import add_staff
from bot.desk.admin import admin_router
from bot.desk.auth import auth_router
from bot.serving import free_port, serve_in_thread
from bot.settings import Settings
from bot.storage.db import Database
from tests.databases import app_database_url

REPO = Path(__file__).parents[3]
STAFF_PASSWORD = "guide-desk-2025"


@dataclass
class Clock:
    """What the desk believes the time is; moved by tests instead of sleeping."""

    now: datetime = field(default_factory=lambda: datetime(2025, 6, 2, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class DeskServer:
    url: str
    app: FastAPI
    database: Database
    clock: Clock

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)

    def login(self, username: str, password: str = STAFF_PASSWORD) -> httpx.Client:
        """A client holding a session cookie and sending its CSRF token on every call."""
        client = self.client()
        response = client.post("/desk/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        return client

    def add_staff(self, username: str, role: str = "guide") -> None:
        with self.database.session() as session:
            add_staff(session, username, STAFF_PASSWORD, role)


def desk_app(settings: Settings) -> FastAPI:
    """The real app, with the account routers added unless create_app has them already."""
    app = create_app(settings, preload_nlu=False)
    paths = {getattr(route, "path", None) for route in app.routes}
    if "/desk/login" not in paths:
        app.include_router(auth_router())
    if "/desk/api/canned" not in paths:
        app.include_router(admin_router())
    return app


def serve_desk(tmp_path: Path, **overrides: Any) -> Iterator[DeskServer]:
    port = free_port()
    settings = Settings(
        database_url=app_database_url(tmp_path, "desk.db"),
        nlu_model_path=tmp_path / "unused-model.pkl",
        config_dir=REPO / "config",
        local_url=f"http://127.0.0.1:{port}",
        public_base_url=f"http://127.0.0.1:{port}",
        _env_file=None,  # type: ignore[call-arg]
        **overrides,
    )
    app = desk_app(settings)
    clock = Clock()
    app.state.desk_clock = clock
    with serve_in_thread(app, port=port) as url:
        server = DeskServer(url, app, app.state.db, clock)
        server.add_staff("lina", "guide")
        server.add_staff("admin", "admin")
        yield server


@pytest.fixture
def desk_server(tmp_path: Path) -> Iterator[DeskServer]:
    """The app with two accounts: guide ``lina`` and admin ``admin`` (password STAFF_PASSWORD)."""
    yield from serve_desk(tmp_path)
