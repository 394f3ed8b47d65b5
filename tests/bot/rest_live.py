"""The REST channel of a real server on loopback: the helpers the app-level tests share."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bot.settings import Settings
from tests.databases import app_database_url

DEMO = json.loads((Path(__file__).parents[2] / "bot/court/demo_cases.json").read_text("utf-8"))
CASE = DEMO["cases"][0]


@dataclass
class Live:
    url: str
    settings: Settings

    def say(self, text: str, sender: str = "litigant-1") -> list[dict[str, Any]]:
        response = httpx.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()
        return messages

    def text(self, text: str, sender: str = "litigant-1") -> str:
        return "\n".join(m.get("text", "") for m in self.say(text, sender))

    def pull(self, sender: str = "litigant-1", after: int = 0) -> list[dict[str, Any]]:
        """What ``GET /webhooks/rest/messages`` holds for ``sender`` after ``after``."""
        response = httpx.get(
            f"{self.url}/webhooks/rest/messages",
            params={"sender": sender, "after": after},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        pulled: list[dict[str, Any]] = response.json()
        return pulled

    def fault(self, **spec: Any) -> None:
        response = httpx.post(f"{self.url}/court-sim/_sim/faults", json=spec, timeout=10)
        assert response.status_code in (200, 204), response.text


def live_settings(tmp_path: Path, model_path: Path, port: int) -> Settings:
    return Settings(
        database_url=app_database_url(tmp_path, "chat.db"),
        nlu_model_path=model_path,
        config_dir=Path(__file__).parents[2] / "config",
        local_url=f"http://127.0.0.1:{port}",
        public_base_url=f"http://127.0.0.1:{port}",
        business_hours="Mon-Sun 00:00-23:59",
        court_sim_faults=True,
        _env_file=None,  # type: ignore[call-arg]
    )


@dataclass
class WebChat:
    """One browser's web chat session (``POST /webchat/session``), spoken to as the page does."""

    url: str
    sender: str
    secret: str

    @classmethod
    def start(cls, url: str) -> WebChat:
        response = httpx.post(f"{url}/webchat/session", timeout=10)
        assert response.status_code == 200, response.text
        body = response.json()
        return cls(url, body["sender"], body["secret"])

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.sender}.{self.secret}"}

    def post(self, text: str, **extra: Any) -> httpx.Response:
        return httpx.post(
            f"{self.url}/webchat/message",
            json={"message": text, **extra},
            headers=self.headers,
            timeout=30,
        )

    def say(self, text: str, **extra: Any) -> list[dict[str, Any]]:
        response = self.post(text, **extra)
        assert response.status_code == 200, response.text
        answer: list[dict[str, Any]] = response.json()
        return answer

    def text(self, text: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(text))

    def pull(self, after: int = 0) -> list[dict[str, Any]]:
        response = httpx.get(
            f"{self.url}/webchat/messages", params={"after": after}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        pulled: list[dict[str, Any]] = response.json()
        return pulled
