"""When guide staff are at the desk: configured weekly hours minus official rest days."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from knowledge.calendar import RestDayCalendar, weekday_zh

_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_SPEC = re.compile(
    r"^\s*(?P<d1>[a-z]{3})(?:-(?P<d2>[a-z]{3}))?\s+(?P<spans>[\d:,\s-]+)$", re.IGNORECASE
)


class BusinessHoursError(ValueError):
    """The configured hours cannot be read; the message says how to write them."""


@dataclass(frozen=True)
class BusinessHours:
    weekdays: frozenset[int]
    spans: tuple[tuple[time, time], ...]
    text: str

    @classmethod
    def parse(cls, spec: str) -> BusinessHours:
        """``Mon-Fri 08:30-12:00,14:30-17:30`` (YICHUANG_BUSINESS_HOURS)."""
        match = _SPEC.match(spec)
        if match is None:
            raise BusinessHoursError(
                f"工作时间格式应如 Mon-Fri 08:30-12:00,14:30-17:30，实为 {spec!r}"
            )
        try:
            first = _DAYS[match["d1"].lower()]
            last = _DAYS[(match["d2"] or match["d1"]).lower()]
            spans = tuple(
                (time.fromisoformat(a.strip()), time.fromisoformat(b.strip()))
                for a, b in (part.split("-") for part in match["spans"].split(","))
            )
        except (KeyError, ValueError) as exc:
            raise BusinessHoursError(f"工作时间无法识别：{spec!r}") from exc
        if any(start >= end for start, end in spans):
            raise BusinessHoursError(f"工作时间段的开始应早于结束：{spec!r}")
        days = frozenset(range(first, last + 1)) if first <= last else frozenset(range(7))
        return cls(days, spans, spec)

    def _works_on(self, day: date, calendar: RestDayCalendar) -> bool:
        """A 调休 working day always; else a configured weekday that is no holiday.

        An ordinary Saturday is a rest day in the calendar, but a court whose hours
        say ``Mon-Sun`` is open then: only holidays close it.
        """
        if calendar.is_adjusted_workday(day):
            return True
        return day.weekday() in self.weekdays and not calendar.is_holiday(day)

    def is_open(self, now: datetime, calendar: RestDayCalendar) -> bool:
        if not self._works_on(now.date(), calendar):
            return False
        return any(start <= now.time() < end for start, end in self.spans)

    def next_opening(self, now: datetime, calendar: RestDayCalendar) -> datetime | None:
        """The next time staff are in, within three weeks (covers the Spring Festival)."""
        for offset in range(22):
            day = now.date() + timedelta(days=offset)
            if not self._works_on(day, calendar):
                continue
            for start, _ in self.spans:
                moment = datetime.combine(day, start, tzinfo=now.tzinfo)
                if moment > now:
                    return moment
        return None

    def describe(self) -> str:
        """工作时间 in Chinese, e.g. 周一至周五 08:30-12:00、14:30-17:30（法定节假日除外）."""
        names = "一二三四五六日"
        days = sorted(self.weekdays)
        span_days = (
            f"周{names[days[0]]}至周{names[days[-1]]}" if len(days) > 1 else f"周{names[days[0]]}"
        )
        spans = "、".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in self.spans)
        return f"{span_days} {spans}（法定节假日除外）"


def when_text(moment: datetime) -> str:
    """11月27日（星期五）08:30."""
    return f"{moment.month}月{moment.day}日（{weekday_zh(moment.date())}）{moment:%H:%M}"
