"""The simulator's cases: read the JSON fixture of contracts.md §4 and check every field.

A fixture is written by hand (by a court's IT staff or a tester), so every
problem is reported as one Chinese sentence naming the file and the case,
before the simulator serves anything.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from dialogs.court import CaseEvent, CaseRecord, Hearing, Payment
from knowledge.case_number import CaseNumberError, parse_case_number

#: The built-in demo cases, served when no fixture is configured.
DEMO_FIXTURE = Path(__file__).with_name("demo_cases.json")
#: Hearing times written without an offset are Beijing time.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")

_CASE_FIELDS = {
    "case_number": True,
    "court": True,
    "cause": True,
    "procedure": True,
    "stage": True,
    "filed_on": False,
    "judge": False,
    "clerk": False,
    "query_code": True,
    "parties": True,
    "hearings": False,
    "events": False,
    "payments": False,
}
_PARTY_FIELDS = {"name": True, "role": True, "id_number": False, "phone": False}
_HEARING_FIELDS = {"at": True, "room": False}
_EVENT_FIELDS = {"on": True, "what": True}
_PAYMENT_FIELDS = {"amount": True, "received_on": False, "status": True, "paid_out_on": False}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_QUERY_CODE = re.compile(r"[0-9A-Z]{4,32}")
_ID_NUMBER = re.compile(r"[0-9A-Z]{6,32}")


class FixtureError(ValueError):
    """The fixture cannot be used; the message names the file and the case, in Chinese."""


def normalize_proof(text: str) -> str:
    """The form proofs are compared in: full-width folded, spaces dropped, upper case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


@dataclass(frozen=True)
class Party:
    """A party as the court holds it. Only the simulator's proof check ever reads it."""

    name: str
    role: str
    id_number: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class FixtureCase:
    """One case with everything the court holds, including what the API never returns."""

    record: CaseRecord
    query_code: str
    parties: tuple[Party, ...]

    @property
    def case_number(self) -> str:
        return self.record.case_number

    def proofs(self) -> tuple[str, ...]:
        """Every accepted proof, normalised: the query code and each ID number's last six."""
        suffixes = (p.id_number[-6:] for p in self.parties if p.id_number)
        return tuple(dict.fromkeys(normalize_proof(p) for p in (self.query_code, *suffixes)))


@dataclass(frozen=True)
class Fixture:
    origin: str
    cases: Mapping[str, FixtureCase]

    def get(self, case_number: str) -> FixtureCase | None:
        """The case under its canonical number, or None."""
        return self.cases.get(case_number)


class _Reader:
    """Checks one case; ``fail`` prefixes every message with the file and the case."""

    def __init__(self, origin: str, index: int, label: str) -> None:
        self.where = f"案件数据文件 {origin} 第 {index + 1} 个案件（{label}）"

    def fail(self, problem: str) -> FixtureError:
        return FixtureError(f"{self.where}：{problem}")

    def fields(self, raw: Any, spec: dict[str, bool], path: str) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(f"{path} 应为 JSON 对象")
        unknown = sorted(set(raw) - set(spec))
        if unknown:
            raise self.fail(
                f"{path}有不认识的字段 {'、'.join(map(str, unknown))}，可用字段：{'、'.join(spec)}"
            )
        missing = [key for key, required in spec.items() if required and raw.get(key) is None]
        if missing:
            raise self.fail(f"{path}缺少字段 {'、'.join(missing)}")
        return raw

    def text(self, raw: dict[str, Any], key: str, path: str = "") -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{path}{key} 应为非空文字")
        return value.strip()

    def optional_text(self, raw: dict[str, Any], key: str, path: str = "") -> str | None:
        return None if raw.get(key) is None else self.text(raw, key, path)

    def day(self, raw: dict[str, Any], key: str, path: str = "") -> date | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            raise self.fail(f"{path}{key} 应为 YYYY-MM-DD 格式的日期，实际是 {value!r}")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.fail(f"{path}{key} 不是存在的日期：{value}") from None

    def moment(self, raw: dict[str, Any], key: str, path: str) -> datetime:
        value = raw.get(key)
        try:
            if not isinstance(value, str) or not _DATE.match(value):
                raise ValueError
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(
                f"{path}{key} 应为 ISO 8601 时间，如 2026-12-10T09:30:00+08:00，实际是 {value!r}"
            ) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)

    def amount(self, raw: dict[str, Any], key: str, path: str) -> Decimal:
        value = raw.get(key)
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InvalidOperation
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise self.fail(f"{path}{key} 应为金额（元），实际是 {value!r}") from None
        if not amount.is_finite() or amount < 0:
            raise self.fail(f"{path}{key} 应为不小于 0 的金额，实际是 {value}")
        if amount != amount.quantize(Decimal("0.01")):
            raise self.fail(f"{path}{key} 最多精确到分（两位小数），实际是 {value}")
        return amount.quantize(Decimal("0.01"))

    def items(self, raw: dict[str, Any], key: str) -> list[Any]:
        value = raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(f"{key} 应为列表")
        return value


def _parties(reader: _Reader, raw: dict[str, Any]) -> tuple[Party, ...]:
    items = reader.items(raw, "parties")
    if not items:
        raise reader.fail("parties 至少要有一位当事人")
    parties: list[Party] = []
    for i, item in enumerate(items):
        path = f"parties[{i}] "
        item = reader.fields(item, _PARTY_FIELDS, path)
        id_number = reader.optional_text(item, "id_number", path)
        if id_number is not None and not _ID_NUMBER.fullmatch(normalize_proof(id_number)):
            # Never echo the number itself: fixtures may hold real ones.
            raise reader.fail(f"{path}id_number 应为至少六位的字母或数字")
        parties.append(
            Party(
                name=reader.text(item, "name", path),
                role=reader.text(item, "role", path),
                id_number=id_number,
                phone=reader.optional_text(item, "phone", path),
            )
        )
    return tuple(parties)


def _hearings(reader: _Reader, raw: dict[str, Any]) -> tuple[Hearing, ...]:
    hearings = []
    for i, item in enumerate(reader.items(raw, "hearings")):
        path = f"hearings[{i}] "
        item = reader.fields(item, _HEARING_FIELDS, path)
        at = reader.moment(item, "at", path)
        hearings.append(Hearing(at=at, room=reader.optional_text(item, "room", path)))
    return tuple(sorted(hearings, key=lambda h: h.at))


def _events(reader: _Reader, raw: dict[str, Any]) -> tuple[CaseEvent, ...]:
    events = []
    for i, item in enumerate(reader.items(raw, "events")):
        path = f"events[{i}] "
        item = reader.fields(item, _EVENT_FIELDS, path)
        on = reader.day(item, "on", path)
        assert on is not None  # required, checked by fields()
        events.append(CaseEvent(on=on, what=reader.text(item, "what", path)))
    return tuple(sorted(events, key=lambda e: e.on))


def _payments(reader: _Reader, raw: dict[str, Any]) -> tuple[Payment, ...]:
    payments = []
    for i, item in enumerate(reader.items(raw, "payments")):
        path = f"payments[{i}] "
        item = reader.fields(item, _PAYMENT_FIELDS, path)
        received = reader.day(item, "received_on", path)
        paid_out = reader.day(item, "paid_out_on", path)
        if received and paid_out and paid_out < received:
            raise reader.fail(f"{path}paid_out_on（{paid_out}）早于 received_on（{received}）")
        payments.append(
            Payment(
                amount=reader.amount(item, "amount", path),
                received_on=received,
                status=reader.text(item, "status", path),
                paid_out_on=paid_out,
            )
        )
    return tuple(payments)


def _case(raw: Any, index: int, origin: str, today: date | None) -> FixtureCase:
    label = raw.get("case_number") if isinstance(raw, dict) else None
    reader = _Reader(origin, index, label if isinstance(label, str) and label else "无案号")
    raw = reader.fields(raw, _CASE_FIELDS, "")
    try:
        canonical = parse_case_number(reader.text(raw, "case_number"), today=today).canonical
    except CaseNumberError as exc:
        raise reader.fail(f"案号无效：{exc}") from None
    query_code = normalize_proof(reader.text(raw, "query_code"))
    if not _QUERY_CODE.fullmatch(query_code):
        raise reader.fail("query_code 应为 4–32 位字母或数字")
    record = CaseRecord(
        case_number=canonical,
        court=reader.text(raw, "court"),
        cause=reader.text(raw, "cause"),
        procedure=reader.text(raw, "procedure"),
        stage=reader.text(raw, "stage"),
        filed_on=reader.day(raw, "filed_on"),
        judge=reader.optional_text(raw, "judge"),
        clerk=reader.optional_text(raw, "clerk"),
        hearings=_hearings(reader, raw),
        events=_events(reader, raw),
        payments=_payments(reader, raw),
    )
    return FixtureCase(record=record, query_code=query_code, parties=_parties(reader, raw))


def reads(text: str, origin: str = "<文本>", today: date | None = None) -> Fixture:
    """Parse and check fixture JSON; ``origin`` names the source in error messages."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FixtureError(
            f"案件数据文件 {origin} 不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列"
        ) from None
    items = raw.get("cases") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise FixtureError(f'案件数据文件 {origin} 应为 {{"cases": [...]}} 形式的 JSON 对象')
    cases: dict[str, FixtureCase] = {}
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        case = _case(item, index, origin, today)
        if case.case_number in cases:
            raise FixtureError(
                f"案件数据文件 {origin} 第 {index + 1} 个案件（{item['case_number']}）："
                f"案号与第 {first[case.case_number] + 1} 个案件重复（即 {case.case_number}）"
            )
        cases[case.case_number] = case
        first[case.case_number] = index
    return Fixture(origin=origin, cases=cases)


def read(path: Path, today: date | None = None) -> Fixture:
    """Read and check a fixture file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FixtureError(f"找不到案件数据文件 {path}") from None
    except UnicodeDecodeError:
        raise FixtureError(f"案件数据文件 {path} 不是 UTF-8 编码的文本") from None
    except OSError as exc:
        raise FixtureError(f"无法读取案件数据文件 {path}：{exc.strerror or exc}") from None
    return reads(text, str(path), today)


def load_fixture(path: Path | None = None, today: date | None = None) -> Fixture:
    """The fixture at ``path``, or the built-in demo cases when ``path`` is None."""
    return read(path or DEMO_FIXTURE, today)
