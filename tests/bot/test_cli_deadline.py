"""``yichuang deadline``: the contract's JSON shape, Chinese output, and exit 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

Cli = Callable[..., tuple[int, str, str]]


def test_deadline_json_has_the_contract_fields(cli: Cli) -> None:
    status, out, err = cli("deadline", "appeal_civil_judgment", "--from", "2025-09-30", "--json")
    assert status == 0 and err == ""
    data = json.loads(out)
    # 15 days from 2025-09-30 → Wed 2025-10-15 (National Day lies inside the period).
    assert data["kind"] == "appeal_civil_judgment"
    assert data["from"] == "2025-09-30"
    assert data["last_day"] == "2025-10-15"
    assert data["rule"] == "《民事诉讼法》第一百七十一条"
    assert data["nominal_last_day"] == "2025-10-15"
    assert data["moved"] is False
    assert data["estimated"] is False
    assert data["name"] == "上诉期限（民事判决）"
    assert isinstance(data["notes"], list) and data["notes"]


def test_deadline_json_reports_a_move(cli: Cli) -> None:
    # 10 days from 2025-09-28 → Wed 10/8 (National Day) → Thu 10/9.
    data = json.loads(cli("deadline", "appeal_civil_ruling", "--from", "2025-09-28", "--json")[1])
    assert (data["nominal_last_day"], data["last_day"]) == ("2025-10-08", "2025-10-09")
    assert data["moved"] is True
    assert data["moved_reason"] == "2025-10-08 是国庆节假期，顺延至 2025-10-09"


def test_deadline_human_output_is_chinese(cli: Cli) -> None:
    status, out, _ = cli("deadline", "appeal_civil_judgment", "--from", "2025-09-30")
    assert status == 0
    first = out.splitlines()[0]
    assert first.startswith(
        "上诉期限（民事判决，15日）：自 2025-09-30 次日起算，最后一日 2025-10-15"
    )
    assert "依据：《民事诉讼法》第一百七十一条" in out


def test_deadline_in_2027_is_marked_as_an_estimate(cli: Cli) -> None:
    # 15 days from 2026-12-17 → Fri 2027-01-01 (元旦 by rule) → Mon 2027-01-04.
    status, out, _ = cli("deadline", "appeal_civil_judgment", "--from", "2026-12-17", "--json")
    data = json.loads(out)
    assert status == 0
    assert data["last_day"] == "2027-01-04" and data["estimated"] is True
    human = cli("deadline", "appeal_civil_judgment", "--from", "2026-12-17")[1]
    assert "推算" in human and "以法院公告为准" in human


def test_criminal_in_custody_flag(cli: Cli) -> None:
    # 10 days from 2025-09-21 → Wed 10/1; in custody no move.
    args = ("deadline", "appeal_criminal_judgment", "--from", "2025-09-21", "--json")
    assert json.loads(cli(*args)[1])["last_day"] == "2025-10-09"
    assert json.loads(cli(*args, "--in-custody")[1])["last_day"] == "2025-10-01"


def test_court_override_file_is_used(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "calendar.yaml").write_text(
        "rest_days:\n  - {date: 2025-10-15, note: 本院闭院}\n", encoding="utf-8"
    )
    monkeypatch.setenv("YICHUANG_CONFIG_DIR", str(tmp_path))
    out = cli("deadline", "appeal_civil_judgment", "--from", "2025-09-30", "--json")[1]
    # 10/15 is closed by the court → Thu 10/16.
    assert json.loads(out)["last_day"] == "2025-10-16"


def test_deadline_list(cli: Cli) -> None:
    status, out, _ = cli("deadline", "--list")
    assert status == 0
    assert "appeal_civil_judgment" in out and "上诉期限（民事判决，15日）" in out
    kinds = json.loads(cli("deadline", "--list", "--json")[1])
    keys = {item["kind"] for item in kinds}
    assert {"retrial_civil", "enforcement_application", "preservation_suit"} <= keys
    assert all({"kind", "name", "period", "rule", "from_means"} <= set(i) for i in kinds)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("appeal_civil_judgment", "--from", "2025-13-01"), "日期无效"),
        (("appeal_civil_judgment", "--from", "2025-02-30"), "日期无效"),
        (("appeal_civil_judgment", "--from", "yesterday"), "日期无效"),
        (("appeal_civil_judgement", "--from", "2025-09-30"), "appeal_civil_judgment"),
        (("appeal_civil_judgment",), "--from"),
        ((), "KIND"),
        (("appeal_civil_judgment", "--from", "2025-09-30", "--in-custody"), "刑事"),
        (("appeal_civil_judgment", "--from", "1900-01-01"), "范围"),
        (("appeal_civil_judgment", "--frm", "2025-09-30"), "参数错误"),
    ],
)
def test_bad_input_exits_2_with_one_line(cli: Cli, args: tuple[str, ...], fragment: str) -> None:
    status, out, err = cli("deadline", *args)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert fragment in err


def test_other_date_spellings_are_accepted(cli: Cli) -> None:
    out = cli("deadline", "appeal_civil_judgment", "--from", "2025年9月30日", "--json")[1]
    assert json.loads(out)["from"] == "2025-09-30"


def test_malformed_court_calendar_exits_2_naming_the_file(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "calendar.yaml").write_text("rest_days:\n  - {date: 2025-10-15}\n", "utf-8")
    monkeypatch.setenv("YICHUANG_CONFIG_DIR", str(tmp_path))
    status, out, err = cli("deadline", "appeal_civil_judgment", "--from", "2025-09-30")
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "calendar.yaml" in err


def test_console_script_bad_date_prints_no_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "deadline", "retrial_civil", "--from", "2025-02-30"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
