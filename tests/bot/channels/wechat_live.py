"""The app with the WeChat channel registered, and a fake WeChat platform, both on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import create_app
from bot.channels.wechat import register
from bot.serving import free_port, serve_in_thread
from bot.settings import Settings
from tests.bot.rest_live import sim_fault
from tests.databases import app_database_url
from tests.fakes.wechat_server import FakeWeChat

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
CONFIG = Path(__file__).parents[3] / "config"


@dataclass
class Live:
    url: str
    wechat: FakeWeChat
    settings: Settings
    app: Any = None

    def say(self, user: str, text: str, msg_id: str, mode: str = "plain", **kw: Any) -> str:
        """What the user sees as the passive reply ("" for success/empty)."""
        now = kw.pop("create_time", 1_700_000_000)
        xml = self.wechat.text_xml(user, text, msg_id, now)
        reply = self.wechat.read_reply(self.wechat.push(self.url, xml, user=user, mode=mode, **kw))
        return "" if reply is None else str(reply["Content"])

    def fault(self, **spec: Any) -> None:
        sim_fault(self.app, **spec)


@contextmanager
def live_wechat(
    tmp_path: Path,
    model_path: Path,
    *,
    passive_seconds: float = 4.0,
    clock: Callable[[], float] | None = None,
    token: str = "court-token",
    aes_key: str | None = AES_KEY,
    app_id: str = "wx2c2769f8efd9abc2",
) -> Iterator[Live]:
    fake = FakeWeChat(token=token, app_id=app_id, app_secret="s3cret", aes_key=aes_key)
    with serve_in_thread(fake.app()) as api_url:
        port = free_port()
        settings = Settings(
            database_url=app_database_url(tmp_path, "wechat.db"),
            nlu_model_path=model_path,
            config_dir=CONFIG,
            local_url=f"http://127.0.0.1:{port}",
            public_base_url=f"http://127.0.0.1:{port}",
            business_hours="Mon-Sun 00:00-23:59",
            court_sim_faults=True,
            wechat_token=token,
            wechat_aes_key=aes_key,
            wechat_app_id=app_id,
            wechat_app_secret="s3cret",
            wechat_api_base_url=api_url + "/",
            _env_file=None,  # type: ignore[call-arg]
        )
        app = create_app(settings, channels=False)
        extra: dict[str, Any] = {"passive_seconds": passive_seconds}
        if clock is not None:
            extra["clock"] = clock
        register(app, settings, **extra)
        with serve_in_thread(app, port=port) as url:
            yield Live(url, fake, settings, app)
