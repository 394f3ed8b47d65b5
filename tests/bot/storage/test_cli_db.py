"""``yichuang db upgrade|downgrade`` on the database named by YICHUANG_DATABASE_URL."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.storage.migrate import head

Cli = Callable[..., tuple[int, str, str]]


def _one_chinese_line(err: str) -> None:
    assert err.count("\n") == 1 and err.endswith("\n")
    assert "Traceback" not in err
    assert re.search(r"[\u4e00-\u9fff]", err)


def test_upgrade_a_fresh_database_then_downgrade(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "new" / "dir" / "yichuang.db"
    monkeypatch.setenv("YICHUANG_DATABASE_URL", f"sqlite:///{path}")

    status, out, err = cli("db", "upgrade", "--json")
    assert (status, err) == (0, "")
    assert json.loads(out) == {
        "database": f"sqlite:///{path}",
        "from": None,
        "to": head(),
        "head": head(),
    }
    assert path.is_file()

    status, out, _ = cli("db", "upgrade")
    assert status == 0
    assert "无变化" in out

    status, out, _ = cli("db", "downgrade", "base", "--json")
    assert status == 0
    assert json.loads(out)["to"] is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("this is not a url", "数据库地址无效"),
        ("nosuchdb://host/x", "不支持的数据库类型"),
        ("postgresql://yichuang:s3cret-pw@127.0.0.1:1/yichuang", "无法访问数据库"),
    ],
)
def test_a_bad_database_url_exits_2_with_one_chinese_line(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, url: str, expected: str
) -> None:
    monkeypatch.setenv("YICHUANG_DATABASE_URL", url)
    status, out, err = cli("db", "upgrade", "--json")
    assert status == 2
    assert out == ""
    _one_chinese_line(err)
    assert expected in err
    assert "s3cret-pw" not in err


def test_downgrade_to_an_unknown_revision_exits_2(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YICHUANG_DATABASE_URL", f"sqlite:///{tmp_path / 'y.db'}")
    status, _, err = cli("db", "downgrade", "no-such-revision")
    assert status == 2
    _one_chinese_line(err)
    assert "没有这个数据库版本" in err
