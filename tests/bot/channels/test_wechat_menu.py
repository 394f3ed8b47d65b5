"""`yichuang wechat push-menu` publishes the court's menu through the (fake) WeChat API."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli.wechat import check_menu
from bot.serving import serve_in_thread
from tests.fakes.wechat_server import FakeWeChat

Cli = Callable[..., tuple[int, str, str]]
SHIPPED = Path(__file__).parents[3] / "config" / "wechat_menu.json"


def test_shipped_menu_is_valid_and_every_key_is_a_known_payload() -> None:
    from dialogs.payload import parse_payload
    from knowledge.intents import INTENTS

    menu = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert check_menu(menu) == []
    keys = [
        item["key"]
        for top in menu["button"]
        for item in top.get("sub_button", [top])
        if item["type"] == "click"
    ]
    assert keys and all(parse_payload(k, frozenset(INTENTS)) for k in keys)


def test_push_menu_through_the_api(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeWeChat(token="t", app_id="wxapp", app_secret="s3cret", aes_key=None)
    with serve_in_thread(fake.app()) as url:
        monkeypatch.setenv("YICHUANG_WECHAT_APP_ID", "wxapp")
        monkeypatch.setenv("YICHUANG_WECHAT_APP_SECRET", "s3cret")
        monkeypatch.setenv("YICHUANG_WECHAT_API_BASE_URL", url + "/")
        status, out, err = cli("wechat", "push-menu", "--file", str(SHIPPED), "--json")
    assert status == 0, err
    assert json.loads(out)["pushed"] is True
    assert fake.menus == [json.loads(SHIPPED.read_text(encoding="utf-8"))]


def test_bad_menu_exits_2_with_one_line(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "menu.json"
    bad.write_text(json.dumps({"button": [{"type": "click", "name": "x", "key": "nope"}]}))
    status, _, err = cli("wechat", "push-menu", "--file", str(bad))
    assert status == 2 and err.count("\n") == 1 and "key" in err


def test_missing_credentials_exit_2(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YICHUANG_WECHAT_APP_ID", raising=False)
    status, _, err = cli("wechat", "push-menu", "--file", str(SHIPPED))
    assert status == 2 and "APP_ID" in err
