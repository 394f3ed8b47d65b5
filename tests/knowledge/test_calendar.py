"""The rest-day calendar: official arrangements, the estimate for later years, overrides.

Expected values come from the State Council arrangements listed in facts.md §6
and from the weekday of each date, not from the code under test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from knowledge.calendar import RestDayCalendar, calendar_from, load_calendar, weekday_zh
from knowledge.loader import KnowledgeDataError

OFFICIAL = RestDayCalendar()
REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.parametrize(
    "day",
    [
        # 2025 Spring Festival 1/28–2/4, National Day + Mid-Autumn 10/1–10/8,
        # Labour Day 5/1–5/5, Qingming 4/4–4/6, Dragon Boat 5/31–6/2.
        "2025-01-28", "2025-02-04", "2025-04-04", "2025-05-01", "2025-05-05",
        "2025-05-31", "2025-06-02", "2025-10-01", "2025-10-08",
        # 2026 New Year 1/1–1/3, Spring Festival 2/15–2/23, Labour Day 5/1–5/5,
        # Dragon Boat 6/19–6/21, Mid-Autumn 9/25–9/27, National Day 10/1–10/7.
        "2026-01-02", "2026-02-15", "2026-02-23", "2026-05-05", "2026-06-19",
        "2026-09-25", "2026-10-01", "2026-10-07",
    ],
)  # fmt: skip
def test_official_holidays_are_rest_days(day: str) -> None:
    assert OFFICIAL.is_rest_day(d(day))


@pytest.mark.parametrize(
    "day",
    [
        # 调休 working weekends: 2025 1/26 (Sun), 2/8 (Sat), 4/27 (Sun), 9/28 (Sun),
        # 10/11 (Sat); 2026 1/4 (Sun), 2/14 (Sat), 2/28 (Sat), 5/9 (Sat), 9/20 (Sun),
        # 10/10 (Sat).
        "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
        "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20",
        "2026-10-10",
    ],
)  # fmt: skip
def test_adjusted_working_weekends_are_working_days(day: str) -> None:
    assert not OFFICIAL.is_rest_day(d(day))
    assert OFFICIAL.is_adjusted_workday(d(day))
    assert OFFICIAL.describe(d(day)) == "调休上班日"


def test_plain_days_and_weekends() -> None:
    assert not OFFICIAL.is_rest_day(d("2025-10-15"))  # a Wednesday
    assert OFFICIAL.describe(d("2025-10-15")) == "工作日"
    assert OFFICIAL.is_rest_day(d("2025-11-22"))  # a Saturday, no 调休
    assert OFFICIAL.describe(d("2025-11-22")) == "周末"
    assert weekday_zh(d("2025-11-24")) == "星期一"


def test_descriptions_name_the_holiday_in_chinese() -> None:
    assert OFFICIAL.describe(d("2025-10-04")) == "国庆节假期"
    assert OFFICIAL.describe(d("2026-02-17")) == "春节假期"
    assert OFFICIAL.describe(d("2026-01-01")) == "元旦假期"


def test_years_covered_by_chinesecalendar_are_official() -> None:
    assert OFFICIAL.is_official(2004)
    assert OFFICIAL.is_official(2025)
    assert OFFICIAL.is_official(2026)
    assert not OFFICIAL.is_official(2027)


def test_2027_is_estimated_from_the_statutory_rules_without_error() -> None:
    # 元旦 2027-01-01 is a Friday; 1/2–1/3 the weekend; 1/4 a Monday.
    assert OFFICIAL.is_rest_day(d("2027-01-01"))
    assert "元旦" in OFFICIAL.describe(d("2027-01-01"))
    assert not OFFICIAL.is_rest_day(d("2027-01-04"))
    # Spring Festival 2027: 除夕 Fri 2/5, 正月初一 Sat 2/6; the holidays package adds
    # the observed days Tue 2/9 and Wed 2/10 for the days falling on the weekend.
    for day in ("2027-02-05", "2027-02-06", "2027-02-08", "2027-02-09", "2027-02-10"):
        assert OFFICIAL.is_rest_day(d(day)), day
    assert "春节" in OFFICIAL.describe(d("2027-02-09"))
    assert not OFFICIAL.is_rest_day(d("2027-02-11"))  # Thursday after the holiday
    assert OFFICIAL.is_rest_day(d("2027-03-06"))  # an ordinary Saturday


def test_court_override_adds_rest_and_working_days() -> None:
    cal = calendar_from(
        {
            "rest_days": [{"date": d("2025-10-15"), "note": "本院停电闭院"}],
            "working_days": [{"date": "2025-10-04", "note": "本院值班"}],
        }
    )
    assert cal.is_rest_day(d("2025-10-15"))
    assert "本院停电闭院" in cal.describe(d("2025-10-15"))
    assert not cal.is_rest_day(d("2025-10-04"))
    assert "本院值班" in cal.describe(d("2025-10-04"))
    assert cal.is_official(2025)


def test_entered_arrangement_replaces_the_estimate() -> None:
    # The court typed in a (hypothetical) 2027 arrangement: only what it lists
    # plus weekends is a rest day, and 2027 is no longer an estimate.
    cal = calendar_from(
        {
            "rest_days": [{"date": "2027-02-11", "note": "放假通知"}],
            "working_days": [{"date": "2027-02-20", "note": "调休上班"}],
            "arrangement_years": [2027],
        }
    )
    assert cal.is_official(2027)
    assert cal.is_rest_day(d("2027-02-11"))
    assert not cal.is_rest_day(d("2027-02-09"))  # the package's estimate is not used
    assert not cal.is_rest_day(d("2027-02-20"))  # a Saturday made a working day
    assert cal.is_rest_day(d("2027-02-21"))  # Sunday


def test_load_calendar_reads_the_override_file(tmp_path: Path) -> None:
    (tmp_path / "calendar.yaml").write_text(
        "rest_days:\n  - {date: 2025-10-15, note: 地方闭院}\nworking_days: []\n",
        encoding="utf-8",
    )
    cal = load_calendar(tmp_path)
    assert cal.is_rest_day(d("2025-10-15"))
    assert load_calendar(tmp_path) is cal  # read once


def test_missing_file_or_directory_means_nothing_configured(tmp_path: Path) -> None:
    assert not load_calendar(tmp_path).is_rest_day(d("2025-10-15"))
    assert not load_calendar(None).is_rest_day(d("2025-10-15"))


def test_shipped_config_file_is_valid_and_changes_nothing() -> None:
    cal = load_calendar(REPO_CONFIG)
    assert not cal.extra_rest_days and not cal.extra_working_days
    assert not cal.arrangement_years


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("rest_days:\n  - {date: 2025-10-15}\n", "note"),
        ("rest_days:\n  - {date: 2025-13-15, note: x}\n", "YYYY-MM-DD"),
        ("rest_days:\n  - {date: 2025-10-15 09:00:00, note: x}\n", "不要带时间"),
        ("rest_days: 2025-10-15\n", "列表"),
        (
            "rest_days: [{date: 2025-10-15, note: x}]\n"
            "working_days: [{date: 2025-10-15, note: y}]\n",
            "同时",
        ),
        ("rest_day: []\n", "rest_day"),
        ("arrangement_years: [二〇二七]\n", "arrangement_years"),
    ],
)
def test_malformed_override_file_names_file_and_item(
    tmp_path: Path, content: str, fragment: str
) -> None:
    (tmp_path / "calendar.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeDataError) as info:
        load_calendar(tmp_path)
    assert "calendar.yaml" in str(info.value)
    assert fragment in str(info.value)
