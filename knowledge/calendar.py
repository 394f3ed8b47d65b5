"""Which days are rest days, for moving the last day of a procedural period.

Why a module of its own: "法定休假日" (CPL art.85) has three sources of unequal
weight. chinesecalendar carries the State Council's published arrangement,
including 调休 working weekends, for the years it covers. For a later year the
arrangement is not yet known, so the `holidays` package's rule-based China
calendar (statutory holidays and their observed days) plus weekends gives an
estimate. On top of both, the court's own file (config/calendar.yaml) adds rest
days (local closures, ethnic holidays) and working days, and may declare that it
has entered a newly published year's arrangement in full.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import chinese_calendar
import holidays

from knowledge.loader import KnowledgeDataError, load_config

#: The court-editable override file, inside the configuration directory.
CONFIG_FILE = "calendar.yaml"
_CONFIG_KEYS = frozenset({"rest_days", "working_days", "arrangement_years"})
WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def weekday_zh(day: dt.date) -> str:
    """The weekday as a litigant says it: 星期一 … 星期日."""
    return WEEKDAYS_ZH[day.weekday()]


def _is_weekend(day: dt.date) -> bool:
    return day.weekday() >= 5


@cache
def _published(year: int) -> bool:
    """Whether chinesecalendar has the State Council's arrangement for ``year``."""
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@cache
def _statutory_estimate(year: int) -> Mapping[dt.date, str]:
    """Statutory holidays (and observed days) of ``year`` by rule, named in Chinese."""
    calendar = holidays.country_holidays("CN", years=year, language="zh_CN")
    # "春节（补假）" → "春节补假", so the name nests inside our own brackets.
    named = {day: str(name).replace("（补假）", "补假") for day, name in calendar.items()}
    return MappingProxyType(named)


def _empty() -> Mapping[dt.date, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class RestDayCalendar:
    """Rest days for deadline counting: official data, estimate, and the court's overrides."""

    extra_rest_days: Mapping[dt.date, str] = field(default_factory=_empty)
    extra_working_days: Mapping[dt.date, str] = field(default_factory=_empty)
    #: Years (not covered by chinesecalendar) whose published arrangement the
    #: court has entered in full above; those years are no longer estimates.
    arrangement_years: frozenset[int] = frozenset()

    def is_official(self, year: int) -> bool:
        """True when ``year`` follows a published arrangement, False for an estimate."""
        return _published(year) or year in self.arrangement_years

    def is_rest_day(self, day: dt.date) -> bool:
        if day in self.extra_working_days:
            return False
        if day in self.extra_rest_days:
            return True
        if _published(day.year):
            return not chinese_calendar.is_workday(day)
        if day.year in self.arrangement_years:
            return _is_weekend(day)
        return _is_weekend(day) or day in _statutory_estimate(day.year)

    def is_holiday(self, day: dt.date) -> bool:
        """A rest day that is not an ordinary weekend: a statutory holiday (or the days
        it moves), or a rest day the court announced. A court open at weekends still
        closes on these (the "法定节假日除外" of its business hours)."""
        if day in self.extra_working_days:
            return False
        if day in self.extra_rest_days:
            return True
        if _published(day.year):
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            return bool(on_holiday and name)
        if day.year in self.arrangement_years:
            return False
        return day in _statutory_estimate(day.year)

    def describe(self, day: dt.date) -> str:
        """What kind of day ``day`` is, in Chinese: 国庆节假期, 周末, 调休上班日, 工作日 …"""
        if day in self.extra_working_days:
            return f"法院公告的工作日（{self.extra_working_days[day]}）"
        if day in self.extra_rest_days:
            return f"法院公告的休息日（{self.extra_rest_days[day]}）"
        if _published(day.year):
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            if on_holiday:
                return f"{chinese_calendar.Holiday(name).chinese}假期" if name else "周末"
            return "调休上班日" if _is_weekend(day) else "工作日"
        if day.year not in self.arrangement_years:
            estimated = _statutory_estimate(day.year).get(day)
            if estimated is not None:
                return f"推算的法定节假日（{estimated}）"
        return "周末" if _is_weekend(day) else "工作日"

    def is_adjusted_workday(self, day: dt.date) -> bool:
        """A Saturday or Sunday that is a working day (调休上班日 or a court override)."""
        return _is_weekend(day) and not self.is_rest_day(day)

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the first working day after it."""
        current = day
        for _ in range(366):
            if not self.is_rest_day(current):
                return current
            current += dt.timedelta(days=1)
        raise KnowledgeDataError(f"{CONFIG_FILE}: 自 {day} 起一年内没有工作日，请检查休息日设置")


# --- the court's override file ---------------------------------------------


def _day(value: Any, origin: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise KnowledgeDataError(f"{origin}: date 只写日期（YYYY-MM-DD），不要带时间")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise KnowledgeDataError(f"{origin}: 日期格式应为 YYYY-MM-DD，实为 {value!r}") from exc


def _days(raw: Any, origin: str) -> dict[dt.date, str]:
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise KnowledgeDataError(f"{origin}: 应为列表，每项 {{date: YYYY-MM-DD, note: 说明}}")
    days: dict[dt.date, str] = {}
    for index, item in enumerate(raw):
        where = f"{origin}[{index}]"
        if not isinstance(item, dict) or "date" not in item:
            raise KnowledgeDataError(f"{where}: 应为 {{date: YYYY-MM-DD, note: 说明}}")
        note = str(item.get("note") or "").strip()
        if not note:
            raise KnowledgeDataError(f"{where}: 缺少 note（依据或原因，如公告文号）")
        day = _day(item["date"], where)
        if day in days:
            raise KnowledgeDataError(f"{where}: {day} 重复")
        days[day] = note
    return days


def calendar_from(raw: Mapping[str, Any], origin: str = CONFIG_FILE) -> RestDayCalendar:
    """Build a calendar from the override file's content, validated item by item."""
    unknown = set(raw) - _CONFIG_KEYS
    if unknown:
        keys = "、".join(sorted(map(str, unknown)))
        raise KnowledgeDataError(
            f"{origin}: 不认识的项 {keys}（可用 rest_days、working_days、arrangement_years）"
        )
    rest = _days(raw.get("rest_days"), f"{origin} rest_days")
    work = _days(raw.get("working_days"), f"{origin} working_days")
    both = sorted(set(rest) & set(work))
    if both:
        raise KnowledgeDataError(f"{origin}: {both[0]} 同时列在 rest_days 和 working_days 中")
    years_raw = raw.get("arrangement_years") or []
    if not isinstance(years_raw, list) or not all(
        isinstance(y, int) and not isinstance(y, bool) for y in years_raw
    ):
        raise KnowledgeDataError(f"{origin} arrangement_years: 应为年份列表，如 [2027]")
    return RestDayCalendar(
        extra_rest_days=MappingProxyType(rest),
        extra_working_days=MappingProxyType(work),
        arrangement_years=frozenset(years_raw),
    )


@cache
def load_calendar(config_dir: Path | None = None) -> RestDayCalendar:
    """The rest-day calendar with the court's overrides from ``config_dir`` (read once)."""
    origin = str(Path(config_dir) / CONFIG_FILE) if config_dir is not None else CONFIG_FILE
    return calendar_from(load_config(config_dir, CONFIG_FILE), origin)
