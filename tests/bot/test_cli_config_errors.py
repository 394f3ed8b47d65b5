"""A YICHUANG_* variable the settings refuse stops every sub-command with exit 2 and one
line naming the variable, never a traceback (issue 13, item 10)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest
from pydantic import ValidationError

from bot.settings import Settings

Cli = Callable[..., tuple[int, str, str]]

#: (environment, the variable the one line must name)
BAD = [
    ({"YICHUANG_WECHAT_APP_ID": "wxapp"}, "YICHUANG_WECHAT_APP_SECRET"),
    ({"YICHUANG_WECHAT_APP_SECRET": "s3cret"}, "YICHUANG_WECHAT_APP_ID"),
    ({"YICHUANG_WECHAT_AES_KEY": "too-short"}, "YICHUANG_WECHAT_AES_KEY"),
    ({"YICHUANG_WECHAT_AES_KEY": "!" * 43}, "YICHUANG_WECHAT_AES_KEY"),
    ({"YICHUANG_WECHAT_PASSIVE_SECONDS": "99"}, "YICHUANG_WECHAT_PASSIVE_SECONDS"),
    ({"YICHUANG_TELEGRAM_WEBHOOK_SECRET": "has space"}, "YICHUANG_TELEGRAM_WEBHOOK_SECRET"),
    ({"YICHUANG_TELEGRAM_WEBHOOK_SECRET": "x" * 257}, "YICHUANG_TELEGRAM_WEBHOOK_SECRET"),
    ({"YICHUANG_TELEGRAM_WEBHOOK_SECRET": "秘密"}, "YICHUANG_TELEGRAM_WEBHOOK_SECRET"),
]


@pytest.mark.parametrize(("env", "variable"), BAD)
def test_settings_refuse(env: dict[str, str], variable: str) -> None:
    fields = {k.removeprefix("YICHUANG_").lower(): v for k, v in env.items()}
    with pytest.raises(ValidationError):
        Settings(**fields, _env_file=None)  # type: ignore[arg-type, call-arg]


def test_good_values_pass() -> None:
    settings = Settings(
        wechat_app_id="wx1",
        wechat_app_secret="s",
        wechat_aes_key="a" * 43,
        telegram_webhook_secret="court_secret-1",
        _env_file=None,  # type: ignore[call-arg]
    )
    assert settings.wechat_aes_key == "a" * 43


COMMANDS = [("serve", "--port", "1"), ("db", "upgrade"), ("desk", "purge")]


@pytest.mark.parametrize(("env", "variable"), BAD)
@pytest.mark.parametrize("command", COMMANDS)
def test_every_sub_command_exits_2_with_one_line(
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    variable: str,
    command: tuple[str, ...],
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    status, _, err = cli(*command)
    assert status == 2, err
    assert err.count("\n") == 1 and variable in err and "Traceback" not in err


@pytest.mark.parametrize(("env", "variable"), BAD[:1] + BAD[2:3] + BAD[4:6])
def test_serve_by_subprocess(env: dict[str, str], variable: str) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("YICHUANG_")}
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "serve", "--port", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, **env},
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0]
