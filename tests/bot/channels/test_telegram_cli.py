"""``yichuang telegram set-webhook``: against the fake Bot API server on loopback."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from bot.serving import serve_in_thread
from tests.fakes.telegram_server import FakeTelegram, create_fake_telegram

TOKEN = "123456:TEST-token"
Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTelegram]:
    state = FakeTelegram(token=TOKEN)
    with serve_in_thread(create_fake_telegram(state)) as url:
        monkeypatch.setenv("YICHUANG_TELEGRAM_API_BASE_URL", f"{url}/bot")
        monkeypatch.setenv("YICHUANG_TELEGRAM_TOKEN", TOKEN)
        monkeypatch.setenv("YICHUANG_TELEGRAM_WEBHOOK_SECRET", "court_secret-1")
        yield state


def test_set_webhook_registers_url_and_secret(cli: Cli, fake: FakeTelegram) -> None:
    url = "https://court.example.cn/webhooks/telegram/webhook"
    status, out, _ = cli("telegram", "set-webhook", url, "--json")
    assert status == 0 and json.loads(out)["url"] == url
    assert fake.webhook == {"url": url, "secret_token": "court_secret-1"}


def test_set_webhook_explains_problems_in_one_line(
    cli: Cli, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, _, err = cli("telegram", "set-webhook", "not a url")
    assert status == 2 and "地址无效" in err
    monkeypatch.setenv("YICHUANG_TELEGRAM_TOKEN", "999:wrong")
    status, _, err = cli("telegram", "set-webhook", "https://court.example.cn/x")
    assert status == 2 and "Telegram 拒绝" in err and err.count("\n") == 1
    monkeypatch.delenv("YICHUANG_TELEGRAM_WEBHOOK_SECRET")
    status, _, err = cli("telegram", "set-webhook", "https://court.example.cn/x")
    assert status == 2 and "YICHUANG_TELEGRAM_WEBHOOK_SECRET" in err
