"""Procedural deadlines (期限): the last day of a fixed period, counted as the law says.

Why: a litigant who misses an appeal period by one day loses the appeal, so the
answer must follow the counting rules exactly (facts.md §4.2): the start day is
not counted, months end on the corresponding day, and only the last day moves
past a rest day. The periods themselves are data (knowledge/data/deadlines.yaml);
which days are rest days is knowledge.calendar's job.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any, Literal, cast

from knowledge.calendar import RestDayCalendar, load_calendar, weekday_zh
from knowledge.loader import KnowledgeDataError, Tag, check_tag, load_data

Unit = Literal["day", "month", "year"]
Law = Literal["civil", "criminal", "administrative"]
UNITS: tuple[str, ...] = ("day", "month", "year")
LAWS: tuple[str, ...] = ("civil", "criminal", "administrative")
_UNIT_LABEL = {"day": "日", "month": "个月", "year": "年"}
_DATA = "knowledge/data/deadlines.yaml"
#: Start dates outside these years are refused: no calendar data, and no real case.
MIN_YEAR, MAX_YEAR = 2000, 2099


class DeadlineError(ValueError):
    """The question cannot be answered as asked; the message says why, in Chinese."""


class UnknownDeadlineKind(DeadlineError):
    """The kind is not one we know; the message lists the closest known kinds."""


def add_months(start: dt.date, months: int) -> dt.date:
    """The corresponding day ``months`` later; the month's last day when there is none."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last = stdlib_calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(start.day, last))


@dataclass(frozen=True)
class Period:
    amount: int
    unit: Unit

    @property
    def label(self) -> str:
        """15日 / 6个月 / 2年."""
        return f"{self.amount}{_UNIT_LABEL[self.unit]}"

    def nominal_last_day(self, start: dt.date) -> dt.date:
        """The last day before any move: the start day itself is not counted."""
        if self.unit == "day":
            return start + dt.timedelta(days=self.amount)
        return add_months(start, self.amount * (12 if self.unit == "year" else 1))

    def has_no_corresponding_day(self, start: dt.date) -> bool:
        """True when a month/year period ends in a month too short for the start's day."""
        return self.unit != "day" and self.nominal_last_day(start).day != start.day


@dataclass(frozen=True)
class DeadlineKind:
    key: str
    name: str
    period: Period
    law: Law
    from_means: str
    rule: str
    source: str
    tag: Tag
    notes: tuple[str, ...]

    @property
    def title(self) -> str:
        """The name with the period: 上诉期限（民事判决，15日）."""
        if self.name.endswith("）"):
            return f"{self.name[:-1]}，{self.period.label}）"
        return f"{self.name}（{self.period.label}）"


@dataclass(frozen=True)
class LawRules:
    """What differs between civil, administrative and criminal counting."""

    name: str
    rest_day_rule: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class CountingTexts:
    """The Chinese sentences that explain a result (from the data file's ``counting``)."""

    rest_day: str
    month_end: str
    adjusted_workday: str
    estimate: str
    estimate_advice: str
    custody: str


@dataclass(frozen=True)
class DeadlineRules:
    kinds: Mapping[str, DeadlineKind]
    laws: Mapping[str, LawRules]
    counting: CountingTexts


@dataclass(frozen=True)
class Deadline:
    kind: str
    name: str
    from_date: dt.date
    nominal_last_day: dt.date
    last_day: dt.date
    moved: bool
    moved_reason: str | None
    rule: str
    estimated: bool
    notes: list[str]
    title: str
    period: Period
    from_means: str
    source: str
    tag: Tag
    in_custody: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The ``deadline --json`` shape of contracts.md §2 (plus our extra fields)."""
        return {
            "kind": self.kind,
            "name": self.name,
            "title": self.title,
            "from": self.from_date,
            "from_means": self.from_means,
            "period": {"amount": self.period.amount, "unit": self.period.unit},
            "nominal_last_day": self.nominal_last_day,
            "last_day": self.last_day,
            "last_day_weekday": weekday_zh(self.last_day),
            "moved": self.moved,
            "moved_reason": self.moved_reason,
            "in_custody": self.in_custody,
            "estimated": self.estimated,
            "rule": self.rule,
            "source": self.source,
            "tag": self.tag,
            "notes": self.notes,
        }


# --- loading ---------------------------------------------------------------


def _text(raw: Mapping[str, Any], key: str, origin: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeDataError(f"{origin}: 缺少 {key}（应为非空文字）")
    return value.strip()


def _notes(raw: Any, origin: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(n, str) and n.strip() for n in raw):
        raise KnowledgeDataError(f"{origin}: notes 应为文字列表")
    return tuple(n.strip() for n in raw)


def _period(raw: Any, origin: str) -> Period:
    if not isinstance(raw, dict):
        raise KnowledgeDataError(f"{origin}: period 应为 {{amount: N, unit: day|month|year}}")
    amount, unit = raw.get("amount"), raw.get("unit")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise KnowledgeDataError(f"{origin}: period.amount 应为正整数，实为 {amount!r}")
    if unit not in UNITS:
        raise KnowledgeDataError(f"{origin}: period.unit 应为 day/month/year，实为 {unit!r}")
    return Period(amount=amount, unit=cast(Unit, unit))


def _kind(key: str, raw: Any, laws: Mapping[str, LawRules]) -> DeadlineKind:
    origin = f"{_DATA} kinds.{key}"
    if not isinstance(raw, dict):
        raise KnowledgeDataError(f"{origin}: 应为映射")
    law = raw.get("law")
    if law not in laws:
        raise KnowledgeDataError(f"{origin}: law 应为 {'/'.join(LAWS)}，实为 {law!r}")
    return DeadlineKind(
        key=key,
        name=_text(raw, "name", origin),
        period=_period(raw.get("period"), origin),
        law=cast(Law, law),
        from_means=_text(raw, "from", origin),
        rule=_text(raw, "rule", origin),
        source=_text(raw, "source", origin),
        tag=check_tag(raw.get("tag"), origin),
        notes=_notes(raw.get("notes"), origin),
    )


def _section(raw: Mapping[str, Any], key: str, origin: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise KnowledgeDataError(f"{origin}: 缺少 {key}")
    return value


def deadline_rules_from(raw: Mapping[str, Any]) -> DeadlineRules:
    """Build and validate the rules from the data file's content."""
    counting = _section(raw, "counting", _DATA)
    laws_raw = _section(raw, "laws", _DATA)
    missing = [law for law in LAWS if law not in laws_raw]
    if missing:
        raise KnowledgeDataError(f"{_DATA} laws: 缺少 {'、'.join(missing)}")
    laws = {
        law: LawRules(
            name=_text(item, "name", f"{_DATA} laws.{law}"),
            rest_day_rule=_text(item, "rest_day_rule", f"{_DATA} laws.{law}"),
            notes=_notes(item.get("notes"), f"{_DATA} laws.{law}"),
        )
        for law, item in laws_raw.items()
    }

    def part(name: str) -> Mapping[str, Any]:
        section = _section(counting, name, f"{_DATA} counting")
        check_tag(section.get("tag"), f"{_DATA} counting.{name}")
        return section

    texts = CountingTexts(
        rest_day=_text(part("rest_day"), "text", f"{_DATA} counting.rest_day"),
        month_end=_text(part("month"), "text", f"{_DATA} counting.month"),
        adjusted_workday=_text(part("adjusted_workday"), "text", f"{_DATA} counting"),
        estimate=_text(part("estimate"), "text", f"{_DATA} counting.estimate"),
        estimate_advice=_text(counting, "estimate_advice", f"{_DATA} counting"),
        custody=_text(part("custody"), "text", f"{_DATA} counting.custody"),
    )
    part("day")
    kinds_raw = _section(raw, "kinds", _DATA)
    kinds = {key: _kind(key, item, laws) for key, item in kinds_raw.items()}
    return DeadlineRules(kinds=MappingProxyType(kinds), laws=MappingProxyType(laws), counting=texts)


@cache
def load_deadline_rules() -> DeadlineRules:
    """The periods and counting rules of knowledge/data/deadlines.yaml (read once)."""
    raw = load_data("deadlines.yaml")
    if not isinstance(raw, dict):
        raise KnowledgeDataError(f"{_DATA}: 顶层应为映射")
    return deadline_rules_from(raw)


def deadline_kinds(rules: DeadlineRules | None = None) -> list[DeadlineKind]:
    """Every kind, in the data file's order (for menus, ``--list`` and the dialogs)."""
    return list((rules or load_deadline_rules()).kinds.values())


# --- calculation -----------------------------------------------------------


def _unknown(kind: str, rules: DeadlineRules) -> UnknownDeadlineKind:
    keys = list(rules.kinds)
    close = difflib.get_close_matches(kind, keys, n=5, cutoff=0.5)
    close += [k for k in keys if kind and kind in k and k not in close]
    close += [k.key for k in rules.kinds.values() if kind and kind in k.name and k.key not in close]
    if close:
        shown = "、".join(f"{k}（{rules.kinds[k].name}）" for k in close[:6])
        return UnknownDeadlineKind(f"不认识的期限种类“{kind}”，相近的有：{shown}")
    return UnknownDeadlineKind(f"不认识的期限种类“{kind}”，可选：{'、'.join(keys)}")


def get_kind(kind: str, rules: DeadlineRules | None = None) -> DeadlineKind:
    rules = rules or load_deadline_rules()
    spec = rules.kinds.get(kind)
    if spec is None:
        raise _unknown(kind, rules)
    return spec


def compute_deadline(
    kind: str,
    start: dt.date,
    calendar: RestDayCalendar | None = None,
    *,
    in_custody: bool = False,
    rules: DeadlineRules | None = None,
) -> Deadline:
    """The last day of ``kind``'s period counted from ``start`` (the start day not counted).

    ``in_custody`` (criminal kinds only): the suspect/defendant is in custody, so
    the period ends on its last day even if that is a holiday (CrPL art.105).
    """
    rules = rules or load_deadline_rules()
    spec = get_kind(kind, rules)
    calendar = calendar or load_calendar()
    if not MIN_YEAR <= start.year <= MAX_YEAR:
        raise DeadlineError(f"起算日 {start} 超出可计算范围（{MIN_YEAR}–{MAX_YEAR} 年）")
    if in_custody and spec.law != "criminal":
        raise DeadlineError(f"“在押”只适用于刑事期限，{spec.name}不适用")
    law = rules.laws[spec.law]
    texts = rules.counting

    nominal = spec.period.nominal_last_day(start)
    last = nominal if in_custody else calendar.next_working_day(nominal)
    moved = last != nominal
    examined = [nominal + dt.timedelta(days=i) for i in range((last - nominal).days + 1)]
    estimated = any(not calendar.is_official(day.year) for day in examined)

    notes: list[str] = []
    moved_reason = None
    if moved:
        moved_reason = f"{nominal} 是{calendar.describe(nominal)}，顺延至 {last}"
        notes.append(f"{texts.rest_day.rstrip('。')}（{law.rest_day_rule}）。")
    if in_custody:
        notes.append(texts.custody)
        if calendar.is_rest_day(nominal):
            notes.append(f"{nominal} 是{calendar.describe(nominal)}，在押的不顺延。")
    elif spec.law == "criminal":
        notes.append(texts.custody + (f"如在押，最后一日为 {nominal}。" if moved else ""))
    if spec.period.has_no_corresponding_day(start):
        notes.append(texts.month_end)
    if calendar.is_adjusted_workday(last):
        notes.append(f"{last} 是{calendar.describe(last)}，{texts.adjusted_workday}")
    if estimated:
        notes.append(texts.estimate.format(last=last))
        if moved:
            notes.append(texts.estimate_advice.format(nominal=nominal))
    notes.extend(spec.notes)
    notes.extend(law.notes)

    return Deadline(
        kind=spec.key,
        name=spec.name,
        from_date=start,
        nominal_last_day=nominal,
        last_day=last,
        moved=moved,
        moved_reason=moved_reason,
        rule=spec.rule,
        estimated=estimated,
        notes=notes,
        title=spec.title,
        period=spec.period,
        from_means=spec.from_means,
        source=spec.source,
        tag=spec.tag,
        in_custody=in_custody,
    )
