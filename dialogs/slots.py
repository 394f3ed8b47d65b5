"""The one gate every entity value passes before a flow reads it.

Values come from two places nobody controls: button payloads (a litigant can
type ``/fee_calculation{"amount":"1e309"}`` by hand) and the extractors (which
report what was typed, "-5万" or thirty digits included). Each known entity is
checked here for its type and range and rewritten to the one form the flows
expect; a value that fails is dropped and remembered with a reason in Chinese,
so the form asks again politely instead of the turn raising.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from typing import Any

from dialogs.replies import Reply
from knowledge.case_number import CaseNumberError, parse_case_number
from knowledge.deadlines import load_deadline_rules
from knowledge.limits import AmountError, amount_text, parse_amount

BAD_DATE = "这个日期不存在，请核对后重新输入（比如 2026年11月20日）。"
BAD_CASE_NUMBER = "这个案号好像不对，请核对后重新输入。"
BAD_CHOICE = "没看懂这个选项，请重新选择。"
#: Longest text value a flow may be given (the longest case number is far shorter).
MAX_TEXT = 100
#: Model texts are numbered 1..67; anything near this is no template.
MAX_TEMPLATE = 1000
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class SlotError(ValueError):
    """The value cannot fill its slot; the message says why, in Chinese."""


@dataclass(frozen=True)
class Refused:
    entity: str
    reason: str


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise SlotError(BAD_CHOICE)
    if any(ord(ch) < 32 for ch in value):
        raise SlotError(BAD_CHOICE)
    return value


def _amount(value: Any, today: date) -> str:
    try:
        return amount_text(parse_amount(value))
    except AmountError as exc:
        raise SlotError(f"{exc}。") from exc


def _date(value: Any, today: date) -> str:
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise SlotError(BAD_DATE)
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:  # 2026-13-45
        raise SlotError(BAD_DATE) from exc


def _case_number(value: Any, today: date) -> str:
    try:
        return parse_case_number(_text(value), today=today).canonical
    except (SlotError, CaseNumberError) as exc:
        raise SlotError(BAD_CASE_NUMBER) from exc


@cache
def _deadline_kinds() -> frozenset[str]:
    return frozenset(load_deadline_rules().kinds)


def _deadline_kind(value: Any, today: date) -> str:
    if _text(value) not in _deadline_kinds():
        raise SlotError(BAD_CHOICE)
    return str(value)


def _number(low: int, high: int) -> Callable[[Any, date], int]:
    def check(value: Any, today: date) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise SlotError(BAD_CHOICE)
        return value

    return check


def _plain_text(value: Any, today: date) -> str:
    return _text(value)


#: Every entity a flow or the bot reads, and its check. Others are dropped.
CHECKS: dict[str, Callable[[Any, date], Any]] = {
    "amount": _amount,
    "date": _date,
    "case_number": _case_number,
    "deadline_kind": _deadline_kind,
    "template": _number(1, MAX_TEMPLATE),
    "rating": _number(1, 5),
    "fee_kind": _plain_text,
    "case_category": _plain_text,
    "court": _plain_text,
    "place": _plain_text,  # a place button of the court finder (dialogs.flows.court_finder)
    "flow": _plain_text,
    "section": _plain_text,
    "phone": _plain_text,
    "id_number": _plain_text,
}


def check_parse(parse: dict[str, Any], today: date) -> tuple[dict[str, Any], list[Refused]]:
    """A copy of ``parse`` whose entities all passed their check, and those that did not."""
    kept: list[dict[str, Any]] = []
    refused: list[Refused] = []
    entities = parse.get("entities")
    for entity in entities if isinstance(entities, list) else []:
        name = entity.get("entity") if isinstance(entity, dict) else None
        check = CHECKS.get(name) if isinstance(name, str) else None
        if check is None:
            continue
        try:
            value = check(entity.get("value"), today)
        except SlotError as exc:
            refused.append(Refused(str(name), str(exc)))
            continue
        kept.append({**entity, "value": value})
    return {**parse, "entities": kept}, refused


def explain(replies: list[Reply], refused: list[Refused], asked: frozenset[str]) -> list[Reply]:
    """The replies, led by why a value was refused when the open form asks for it again."""
    reasons = list(dict.fromkeys(r.reason for r in refused if r.entity in asked))
    if not reasons or not replies:
        return replies
    first = replies[0]
    return [replace(first, text="".join(reasons) + (first.text or "")), *replies[1:]]
