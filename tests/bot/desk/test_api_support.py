"""A live server with the desk API, litigants on the REST channel and logged-in staff clients."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from bot.app import create_app
from bot.desk.accounts import add_staff
from bot.desk.api import desk_router
from bot.desk.auth import auth_router
from bot.serving import free_port, serve_in_thread
from bot.settings import Settings
from bot.storage.db import Database
from tests.databases import app_database_url

REPO = Path(__file__).parents[3]
PASSWORD = "correct horse battery"


def desk_settings(tmp_path: Path, model_path: Path, port: int) -> Settings:
    return Settings(
        database_url=app_database_url(tmp_path, "desk.db"),
        nlu_model_path=model_path,
        config_dir=REPO / "config",
        local_url=f"http://127.0.0.1:{port}",
        public_base_url=f"http://127.0.0.1:{port}",
        business_hours="Mon-Sun 00:00-23:59",
        _env_file=None,  # type: ignore[call-arg]
    )


def desk_app(settings: Settings) -> FastAPI:
    """The real app; the desk routers added unless create_app wires them already."""
    app = create_app(settings)
    paths = {getattr(route, "path", None) for route in app.routes}
    if "/desk/login" not in paths:
        app.include_router(auth_router())
    if "/desk/api/queue" not in paths:
        app.include_router(desk_router())
    return app


@dataclass
class Litigant:
    url: str
    sender: str
    seen: int = 0

    def say(self, text: str) -> list[dict[str, Any]]:
        response = httpx.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        replies: list[dict[str, Any]] = response.json()
        return replies

    def pull(self) -> list[dict[str, Any]]:
        """Messages that arrived since the last pull (how the web chat gets staff replies)."""
        response = httpx.get(
            f"{self.url}/webhooks/rest/messages",
            params={"sender": self.sender, "after": self.seen},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()
        if messages:
            self.seen = messages[-1]["seq"]
        return messages


@dataclass
class StaffClient:
    """A logged-in staff browser: session cookie plus the CSRF header on every call."""

    url: str
    username: str
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.url, timeout=30)
        login = self.http.post(
            "/desk/login", json={"username": self.username, "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        me = self.http.get("/desk/api/me")
        assert me.status_code == 200, me.text
        self.http.headers["X-CSRF-Token"] = me.json()["csrf_token"]

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(path, params=params)

    def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.http.post(path, json=body or {})

    def queue(self) -> list[dict[str, Any]]:
        response = self.get("/desk/api/queue")
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()
        return items

    def action(self, conversation_id: int, verb: str, body: dict[str, Any] | None = None) -> Any:
        return self.post(f"/desk/api/conversations/{conversation_id}/{verb}", body)


@dataclass
class LiveDesk:
    url: str
    app: FastAPI
    database: Database

    def litigant(self, sender: str) -> Litigant:
        return Litigant(self.url, sender)

    def staff(self, username: str) -> StaffClient:
        return StaffClient(self.url, username)

    def conversation_id(self, sender: str) -> int:
        from bot.storage import repo

        with self.database.session(readonly=True) as session:
            found = repo.find_conversation(session, channel="rest", sender_id=sender)
            assert found is not None
            return found.id

    def handed_off(self, sender: str) -> tuple[Litigant, int]:
        """A litigant who asked for a person; the conversation's id."""
        litigant = self.litigant(sender)
        litigant.say("/request_human")
        litigant.pull()
        return litigant, self.conversation_id(sender)


@contextmanager
def live_desk(
    tmp_path: Path, model_path: Path, staff: dict[str, str] | None = None
) -> Iterator[LiveDesk]:
    """Serve the app; ``staff`` maps usernames to roles (all with PASSWORD)."""
    port = free_port()
    settings = desk_settings(tmp_path, model_path, port)
    app = desk_app(settings)
    database: Database = app.state.db
    for username, role in (staff or {}).items():
        with database.session() as session:
            add_staff(session, username, PASSWORD, role)
    with serve_in_thread(app, port=port) as url:
        yield LiveDesk(url, app, database)
