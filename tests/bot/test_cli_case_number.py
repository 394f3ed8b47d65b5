"""``yichuang case-number``: the anatomy in Chinese, the JSON contract, exit 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable

import pytest

Cli = Callable[..., tuple[int, str, str]]


def test_json_has_the_contract_fields(cli: Cli) -> None:
    status, out, err = cli("case-number", "（2024）内0624民初2900号", "--json")
    assert status == 0 and err == ""
    data = json.loads(out)
    assert {
        "canonical": data["canonical"],
        "year": data["year"],
        "court_code": data["court_code"],
        "court": data["court"],
        "type_code": data["type_code"],
        "type": data["type"],
        "serial": data["serial"],
    } == {
        "canonical": "（2024）内0624民初2900号",
        "year": 2024,
        "court_code": "内0624",
        "court": "鄂托克旗人民法院",
        "type_code": "民初",
        "type": "民事一审案件",
        "serial": 2900,
    }
    assert data["old_format"] is False
    assert isinstance(data["notes"], list)


def test_json_for_another_province_has_null_court(cli: Cli) -> None:
    data = json.loads(cli("case-number", "(2022)京0105民初123", "--json")[1])
    assert data["canonical"] == "（2022）京0105民初123号"
    assert data["court"] is None
    assert data["court_label"] == "北京市的基层法院"
    assert data["province"] == "北京市"


def test_human_output_explains_each_part(cli: Cli) -> None:
    status, out, _ = cli("case-number", "2024 内0602 民初 1234")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "案号：（2024）内0602民初1234号"
    assert any(line.strip().startswith("年份：2024") for line in lines)
    assert any("法院：内0602" in line and "鄂尔多斯市东胜区人民法院" in line for line in lines)
    assert any("类型：民初" in line and "民事一审" in line for line in lines)
    assert any("编号：1234" in line for line in lines)
    assert "以法院公告为准" in out  # 内0602 is an inferred code


def test_human_output_for_an_old_number(cli: Cli) -> None:
    status, out, _ = cli("case-number", "（2011）鄂刑二初字第15号")
    assert status == 0
    assert "旧格式" in out and "鄂尔多斯市中级人民法院" in out


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("（2024）蒙0602民初1234号", "内蒙古法院的代字是“内”"),
        ("（2024）内0602赔1号", "类型代字“赔”不存在"),
        ("（1999）内0602民初1号", "年份 1999 不合理"),
        ("（2024）内0602民初0号", "案件编号应从 1 开始"),
    ],
)
def test_invalid_number_exits_2_with_one_line(cli: Cli, text: str, fragment: str) -> None:
    status, out, err = cli("case-number", text, "--json")
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and fragment in err
    assert "Traceback" not in err


def test_missing_argument_exits_2(cli: Cli) -> None:
    status, _, err = cli("case-number")
    assert status == 2 and err.count("\n") == 1


def test_console_script_prints_no_traceback_for_an_invalid_number() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "case-number", "（2024）蒙0602民初1234号"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
