"""``yichuang desk add-staff``: the password from stdin (piped or typed twice on a terminal)."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.desk.accounts import authenticate
from bot.storage.db import Database
from bot.storage.migrate import upgrade

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'var' / 'cli.db'}"
    monkeypatch.setenv("YICHUANG_DATABASE_URL", url)
    return url


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def _can_log_in(url: str, username: str, password: str) -> bool:
    upgrade(url)
    database = Database(url)
    try:
        with database.session() as session:
            return authenticate(session, username, password) is not None
    finally:
        database.dispose()


def test_piped_password_creates_a_working_account(
    cli: Cli, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, "s3cret-desk-pw\n")
    status, out, err = cli("desk", "add-staff", "lina", "--role", "admin")
    assert (status, err) == (0, "")
    assert out.strip() == "已新增管理员账号：lina"
    assert _can_log_in(db_url, "lina", "s3cret-desk-pw")
    assert not _can_log_in(db_url, "lina", "s3cret-desk-pw\n")


def test_json_output(cli: Cli, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, "s3cret-desk-pw")
    status, out, _ = cli("desk", "add-staff", "zhou", "--json")
    assert status == 0
    assert json.loads(out) == {"username": "zhou", "role": "guide", "active": True}


def test_duplicate_username_exits_2_with_one_line(
    cli: Cli, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, "s3cret-desk-pw\n")
    assert cli("desk", "add-staff", "lina")[0] == 0
    _stdin(monkeypatch, "another-password\n")
    status, out, err = cli("desk", "add-staff", "lina")
    assert (status, out) == (2, "")
    assert err == "yichuang: 用户名已存在：lina\n"
    assert _can_log_in(db_url, "lina", "s3cret-desk-pw")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("lina",), "short\n", "密码至少需要 8 个字符"),
        (("lina",), "", "没有读到密码"),
        (("a b",), "long-enough\n", "用户名应为"),
        (("lina", "--role", "boss"), "long-enough\n", "参数错误"),
    ],
)
def test_bad_input_exits_2_in_chinese(
    cli: Cli,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    stdin: str,
    message: str,
) -> None:
    _stdin(monkeypatch, stdin)
    status, out, err = cli("desk", "add-staff", *args)
    assert (status, out) == (2, "")
    assert err.startswith(f"yichuang: {message}") and err.count("\n") == 1
    assert "Traceback" not in err


PROMPTS = ("密码：", "再输入一次：")


def _on_terminal(url: str, *typed: str) -> tuple[int, str]:
    """Run the real console script on a pseudo-terminal, typing each line when asked."""
    main, child = pty.openpty()
    script = Path(sys.executable).with_name("yichuang")
    process = subprocess.Popen(
        [str(script), "desk", "add-staff", "wang"],
        stdin=child,
        stdout=child,
        stderr=child,
        env={**os.environ, "YICHUANG_DATABASE_URL": url},
        start_new_session=True,  # no controlling terminal: getpass uses the pty on stdin
    )
    os.close(child)
    output = b""
    answered = 0
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(main, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
            elif process.poll() is not None:
                break
            shown = output.decode("utf-8", "replace")
            if answered < len(typed) and shown.count(PROMPTS[answered]) > 0:
                os.write(main, typed[answered].encode() + b"\n")
                answered += 1
                output += b"\n"
        status = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
    return status, output.decode("utf-8", "replace")


def test_on_a_terminal_the_password_is_asked_twice(db_url: str) -> None:
    status, output = _on_terminal(db_url, "typed-twice-pw", "typed-twice-pw")
    assert status == 0, output
    assert "密码：" in output and "再输入一次：" in output
    assert "typed-twice-pw" not in output  # not echoed
    assert "已新增导诉员账号：wang" in output
    assert _can_log_in(db_url, "wang", "typed-twice-pw")


def test_on_a_terminal_a_mismatch_is_refused(db_url: str) -> None:
    status, output = _on_terminal(db_url, "typed-twice-pw", "typed-other-pw")
    assert status == 2, output
    assert "两次输入的密码不一致" in output
    assert not _can_log_in(db_url, "wang", "typed-twice-pw")
