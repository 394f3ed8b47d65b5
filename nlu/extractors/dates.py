"""Dates, absolute and relative ("上周五", "3月5号", "前天"), resolved against the message time."""

from __future__ import annotations

import re
from datetime import date, timedelta

import cn2an

from nlu.extractors.base import Entity

_N = r"(?:\d{1,2}|[一二三四五六七八九十两〇零]{1,3})"
_YEAR = r"(?P<y>\d{4}|[二〇零一三四五六七八九]{4})"
_ABSOLUTE = re.compile(
    rf"(?<!\d){_YEAR}\s?年\s?(?P<m>{_N})\s?月\s?(?P<d>{_N})\s?[日号]?"
    rf"|(?<!\d)(?P<y2>\d{{4}})[-/.](?P<m2>\d{{1,2}})[-/.](?P<d2>\d{{1,2}})(?!\d)"
)
_MONTH_DAY = re.compile(rf"(?<![\d年])(?P<m>{_N})\s?月\s?(?P<d>{_N})\s?[日号]")
_RELATIVE_DAY = {
    "大前天": -3,
    "前天": -2,
    "昨天": -1,
    "昨日": -1,
    "今天": 0,
    "今日": 0,
    "明天": 1,
    "后天": 2,
    "大后天": 3,
    # northern colloquial forms, common among elderly litigants
    "昨儿个": -1,
    "昨儿": -1,
    "昨个": -1,
    "前儿个": -2,
    "前儿": -2,
    "今儿个": 0,
    "今儿": 0,
    "明儿个": 1,
    "明儿": 1,
}
_RELATIVE = re.compile("|".join(sorted(_RELATIVE_DAY, key=len, reverse=True)))
_WEEKDAY = re.compile(
    r"(?P<which>上上|上个?|这个?|本|下个?)?(?:周|星期|礼拜)(?P<day>[一二三四五六日天1-7])"
)
#: "上个月20号", "这个月3号", "下月5日".
_MONTH_OFFSET_DAY = re.compile(
    rf"(?P<which>上上个?月|上个?月|这个?月|本月|下个?月)\s?(?:的)?\s?(?P<d>{_N})\s?[日号]"
)
_MONTH_OFFSETS = {"上上": -2, "上": -1, "这": 0, "本": 0, "下": 1}
#: "20号收到的": a day of a month not named. Not a serial number ("民初12号", "3号法庭").
_BARE_DAY = re.compile(
    rf"(?<![\d初终再申撤特辖督执恢保异复监赔破清催字第案编序月A-Za-z])(?P<d>{_N})\s?"
    # 号 is a day of the month; 日 mostly a span ("十五日内上诉") unless something arrived then
    r"(?:号|日(?=\s?(?:收到|拿到|领到|送达|签收|那天|宣判)))"
    r"(?!\s?(?:法庭|窗口|楼|房|院|线|厅|门|柜|台|桌|座|室|庭|位|人|车|床|码))"
)
_DAYS_OFFSET = re.compile(rf"(?P<n>{_N})\s?天(?P<dir>前|以前|之前|后|以后|之后)")
_WEEKDAY_INDEX = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


def _int(token: str) -> int:
    if token.isdigit():
        return int(token)
    if len(token) == 4 and all(ch in "二〇零一三四五六七八九" for ch in token):
        return int(
            "".join(str(cn2an.cn2an(ch, "smart")) if ch not in "〇零" else "0" for ch in token)
        )
    return int(cn2an.cn2an(token, "smart"))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _in_month(today: date, offset: int, day: int) -> date | None:
    """Day ``day`` of the month ``offset`` months from today's."""
    index = today.year * 12 + today.month - 1 + offset
    return _safe_date(index // 12, index % 12 + 1, day)


def _latest_day(today: date, day: int) -> date | None:
    """The latest day ``day`` of a month that is not after today: "28号收到的" on
    December 5th is November 28th (dates litigants give are mostly of things past)."""
    for offset in (0, -1, -2):
        found = _in_month(today, offset, day)
        if found is not None and found <= today:
            return found
    return None


def extract_dates(text: str, today: date) -> list[Entity]:
    found: list[Entity] = []
    taken: list[tuple[int, int]] = []

    def add(value: date | None, start: int, end: int) -> None:
        if value is None or any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        found.append(Entity("date", value.isoformat(), start, end))

    for m in _ABSOLUTE.finditer(text):
        try:
            if m.group("y"):
                add(_safe_date(_int(m["y"]), _int(m["m"]), _int(m["d"])), m.start(), m.end())
            else:
                add(_safe_date(int(m["y2"]), int(m["m2"]), int(m["d2"])), m.start(), m.end())
        except ValueError:
            continue
    for m in _MONTH_DAY.finditer(text):
        try:
            add(_safe_date(today.year, _int(m["m"]), _int(m["d"])), m.start(), m.end())
        except ValueError:
            continue
    for m in _MONTH_OFFSET_DAY.finditer(text):
        offset = next(v for k, v in _MONTH_OFFSETS.items() if m["which"].startswith(k))
        try:
            add(_in_month(today, offset, _int(m["d"])), m.start(), m.end())
        except ValueError:
            continue
    for m in _BARE_DAY.finditer(text):
        try:
            add(_latest_day(today, _int(m["d"])), m.start(), m.end())
        except ValueError:
            continue
    for m in _RELATIVE.finditer(text):
        add(today + timedelta(days=_RELATIVE_DAY[m.group(0)]), m.start(), m.end())
    for m in _WEEKDAY.finditer(text):
        raw = m["day"]
        weekday = int(raw) - 1 if raw.isdigit() else _WEEKDAY_INDEX[raw]
        which = (m["which"] or "").rstrip("个")
        weeks = {"上上": -2, "上": -1, "下": 1}.get(which, 0)
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
        add(monday + timedelta(days=weekday), m.start(), m.end())
    for m in _DAYS_OFFSET.finditer(text):
        try:
            days = _int(m["n"])
        except ValueError:
            continue
        sign = -1 if "前" in m["dir"] else 1
        add(today + timedelta(days=sign * days), m.start(), m.end())
    return found
