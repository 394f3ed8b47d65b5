"""Case numbers (案号): parse, normalise, validate and explain them.

Grammar (法〔2015〕137号, in force 2016-01-01; 法〔2018〕335号):
``（年度）法院代字[专门审判代字]类型代字编号号``, e.g. （2024）内0624民初2900号.
Pre-2016 numbers have the shape （2013）东法民初字第37号 and are recognised
too. Codes and types are data (court_codes.yaml, case_types.yaml,
courts.yaml); this module only knows the grammar.

Decisions a user may notice: brackets, spaces, full-width digits, a missing
“号”, a year without brackets and a stray “第” are all corrected silently or
with a note; leading zeros in the serial are dropped (（2024）内0602民初0012号
is case 12) except for 刑核, whose number is a random 8-digit code kept as
written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Literal

from knowledge.courts import LEVEL_NAMES, Court, load_court_directory
from knowledge.loader import UNVERIFIED_NOTE, KnowledgeDataError, Tag, check_tag, load_data

CourtLevel = Literal["supreme", "high", "intermediate", "basic"]

#: The current grammar applies to cases received from this year on.
NEW_FORMAT_FROM = 2016
#: A sanity floor for pre-2016 numbers (not a legal rule): anything earlier is a typo.
OLD_FORMAT_FROM = 1950
#: Two-digit court numbers from here on belong to special courts (法〔2018〕335号).
SPECIAL_FROM = 71
#: More digits than this is not a serial number (8 = the random 刑核 numbers).
MAX_SERIAL_DIGITS = 8

_CJK = "\u4e00-\u9fff"
_OPEN = "(（〔[【［﹝〖｛{"
_CLOSE = ")）〕]】］﹞〗｝}"
_CHAR_MAP: dict[int, str] = {
    **{ord(c): "(" for c in _OPEN},
    **{ord(c): ")" for c in _CLOSE},
    **{0xFF10 + i: str(i) for i in range(10)},  # full-width digits
    ord("號"): "号",
}
_INVISIBLE = frozenset("\u200b\u200c\u200d\ufeff")


class CaseNumberError(ValueError):
    """The text is not a valid case number; the message says why in one Chinese sentence."""


# --- the grammar's data ------------------------------------------------------


@dataclass(frozen=True)
class CaseType:
    code: str
    meaning: str
    category: str
    type_class: str
    tag: Tag
    source: str
    random_serial: bool = False


@dataclass(frozen=True)
class SpecialCode:
    """A 专门审判代字 such as 知, written between court code and type code."""

    code: str
    meaning: str
    tag: Tag
    source: str


@dataclass(frozen=True)
class HighCourtCode:
    code: str
    region: str
    high_court: str
    tag: Tag
    source: str


@dataclass(frozen=True)
class SpecialRange:
    """Two-digit numbers 71–99 reserved for special courts (railway, maritime …)."""

    first: int
    last: int
    kind: str


@dataclass(frozen=True)
class Grammar:
    supreme_code: str
    supreme_name: str
    supreme_tag: Tag
    high_courts: dict[str, HighCourtCode]
    invalid_codes: dict[str, str]
    special_ranges: tuple[SpecialRange, ...]
    types: dict[str, CaseType]
    special_codes: dict[str, SpecialCode]
    mistakes: dict[str, str]
    old_kinds: dict[str, str]
    old_stages: dict[str, str]

    def special_kind(self, two_digits: str) -> str | None:
        number = int(two_digits)
        return next((r.kind for r in self.special_ranges if r.first <= number <= r.last), None)


def _mapping(raw: Any, origin: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise KnowledgeDataError(f"{origin}: 应为映射")
    return raw


def _list(raw: Any, origin: str) -> list[Any]:
    if not isinstance(raw, list) or not raw:
        raise KnowledgeDataError(f"{origin}: 应为非空列表")
    return raw


def _str(raw: dict[str, Any], key: str, origin: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeDataError(f"{origin}: 缺少 {key}")
    return value.strip()


def _unique(codes: list[str], origin: str) -> None:
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise KnowledgeDataError(f"{origin}: 代字重复 {'、'.join(duplicates)}")


def _case_types(raw: dict[str, Any]) -> dict[str, CaseType]:
    origin = "knowledge/data/case_types.yaml"
    defaults = _mapping(raw.get("defaults"), f"{origin} defaults")
    types: list[CaseType] = []
    for i, item in enumerate(_list(raw.get("types"), f"{origin} types")):
        where = f"{origin} types[{i}]"
        item = _mapping(item, where)
        code = _str(item, "code", where)
        where = f"{origin} {code}"
        if not re.fullmatch(f"[{_CJK}]{{1,4}}", code):
            raise KnowledgeDataError(f"{where}: 类型代字应为一至四个汉字")
        serial = item.get("serial")
        if serial not in (None, "random8"):
            raise KnowledgeDataError(f"{where}: serial 只能是 random8")
        types.append(
            CaseType(
                code=code,
                meaning=_str(item, "meaning", where),
                category=_str(item, "category", where),
                type_class=str(item.get("class") or "—"),
                tag=check_tag(item.get("tag", defaults.get("tag")), where),
                source=str(item.get("source") or _str(defaults, "source", f"{origin} defaults")),
                random_serial=serial == "random8",
            )
        )
    _unique([t.code for t in types], f"{origin} types")
    return {t.code: t for t in types}


def _special_codes(raw: dict[str, Any]) -> dict[str, SpecialCode]:
    origin = "knowledge/data/case_types.yaml special_codes"
    codes: dict[str, SpecialCode] = {}
    for i, item in enumerate(_list(raw.get("special_codes"), origin)):
        where = f"{origin}[{i}]"
        item = _mapping(item, where)
        code = _str(item, "code", where)
        if not re.fullmatch(f"[{_CJK}]", code):
            raise KnowledgeDataError(f"{where}: 专门审判代字应为一个汉字")
        codes[code] = SpecialCode(
            code=code,
            meaning=_str(item, "meaning", where),
            tag=check_tag(item.get("tag"), where),
            source=_str(item, "source", where),
        )
    return codes


def _high_courts(raw: dict[str, Any]) -> dict[str, HighCourtCode]:
    origin = "knowledge/data/court_codes.yaml high_courts"
    group = _mapping(raw.get("high_courts"), origin)
    tag = check_tag(group.get("tag"), origin)
    source = _str(group, "source", origin)
    courts: list[HighCourtCode] = []
    for i, item in enumerate(_list(group.get("codes"), origin)):
        where = f"{origin}.codes[{i}]"
        item = _mapping(item, where)
        code = _str(item, "code", where)
        if not re.fullmatch(f"[{_CJK}]", code):
            raise KnowledgeDataError(f"{where}: 高级法院代字应为一个汉字")
        region = _str(item, "region", where)
        courts.append(
            HighCourtCode(
                code=code,
                region=region,
                high_court=str(item.get("high_court") or f"{region}高级人民法院"),
                tag=tag,
                source=source,
            )
        )
    _unique([c.code for c in courts], origin)
    return {c.code: c for c in courts}


def _special_ranges(raw: dict[str, Any]) -> tuple[SpecialRange, ...]:
    origin = "knowledge/data/court_codes.yaml special_ranges"
    group = _mapping(raw.get("special_ranges"), origin)
    check_tag(group.get("tag"), origin)
    ranges: list[SpecialRange] = []
    for i, item in enumerate(_list(group.get("ranges"), origin)):
        where = f"{origin}.ranges[{i}]"
        item = _mapping(item, where)
        first, last = item.get("first"), item.get("last")
        if not (isinstance(first, int) and isinstance(last, int) and 71 <= first <= last <= 99):
            raise KnowledgeDataError(f"{where}: first/last 应为 71–99 之间的整数且 first ≤ last")
        ranges.append(SpecialRange(first=first, last=last, kind=_str(item, "kind", where)))
    return tuple(ranges)


def grammar_from(court_codes: Any, case_types: Any) -> Grammar:
    """Validate the two data files and build the grammar they describe."""
    codes = _mapping(court_codes, "knowledge/data/court_codes.yaml")
    types_raw = _mapping(case_types, "knowledge/data/case_types.yaml")
    supreme = _mapping(codes.get("supreme"), "knowledge/data/court_codes.yaml supreme")
    invalid: dict[str, str] = {}
    for i, item in enumerate(codes.get("invalid_codes") or []):
        where = f"knowledge/data/court_codes.yaml invalid_codes[{i}]"
        item = _mapping(item, where)
        check_tag(item.get("tag"), where)
        invalid[_str(item, "code", where)] = _str(item, "reason", where)
    mistakes: dict[str, str] = {}
    for i, item in enumerate(types_raw.get("mistakes") or []):
        where = f"knowledge/data/case_types.yaml mistakes[{i}]"
        item = _mapping(item, where)
        mistakes[_str(item, "code", where)] = _str(item, "hint", where)
    old = _mapping(types_raw.get("old_format"), "knowledge/data/case_types.yaml old_format")
    check_tag(old.get("tag"), "knowledge/data/case_types.yaml old_format")
    grammar = Grammar(
        supreme_code=_str(supreme, "code", "court_codes.yaml supreme"),
        supreme_name=_str(supreme, "name", "court_codes.yaml supreme"),
        supreme_tag=check_tag(supreme.get("tag"), "court_codes.yaml supreme"),
        high_courts=_high_courts(codes),
        invalid_codes=invalid,
        special_ranges=_special_ranges(codes),
        types=_case_types(types_raw),
        special_codes=_special_codes(types_raw),
        mistakes=mistakes,
        old_kinds={str(k): str(v) for k, v in _mapping(old.get("kinds"), "old_format").items()},
        old_stages={str(k): str(v) for k, v in _mapping(old.get("stages"), "old_format").items()},
    )
    clash = sorted(set(grammar.invalid_codes) & set(grammar.high_courts))
    if clash:
        raise KnowledgeDataError(f"court_codes.yaml: {'、'.join(clash)} 既有效又无效")
    return grammar


@cache
def load_grammar() -> Grammar:
    return grammar_from(load_data("court_codes.yaml"), load_data("case_types.yaml"))


def case_types() -> dict[str, CaseType]:
    """Type code → its meaning and class, for menus and the NLU."""
    return dict(load_grammar().types)


# --- the result --------------------------------------------------------------


@dataclass(frozen=True)
class CaseNumber:
    """One valid case number, explained. ``court`` is None when we cannot name the court."""

    canonical: str
    year: int
    court_code: str
    court: str | None
    court_level: CourtLevel | None
    #: What to tell the user about the court: its name, or e.g. "江苏省的基层法院".
    court_label: str
    province: str | None
    special_code: str | None
    special: str | None
    type_code: str
    type: str
    type_category: str | None
    type_class: str | None
    serial: int
    old_format: bool
    notes: tuple[str, ...]
    court_tag: Tag | None
    type_tag: Tag
    #: True for 刑核: the number is a random 8-digit code, kept as written.
    random_serial: bool = False

    @property
    def serial_text(self) -> str:
        """The serial as it appears in the canonical form (zeros kept for random numbers)."""
        if self.random_serial:
            match = re.search(r"(\d+)号$", self.canonical)
            if match is not None:
                return match.group(1)
        return str(self.serial)

    def as_dict(self) -> dict[str, Any]:
        """The ``case-number --json`` shape of contracts.md §2, plus our extra fields."""
        return {
            "canonical": self.canonical,
            "year": self.year,
            "court_code": self.court_code,
            "court": self.court,
            "court_level": self.court_level,
            "court_label": self.court_label,
            "province": self.province,
            "special_code": self.special_code,
            "special": self.special,
            "type_code": self.type_code,
            "type": self.type,
            "type_category": self.type_category,
            "type_class": self.type_class,
            "serial": self.serial,
            "random_serial": self.random_serial,
            "old_format": self.old_format,
            "notes": list(self.notes),
            "court_tag": self.court_tag,
            "type_tag": self.type_tag,
        }


# --- normalisation -----------------------------------------------------------


def _compact(text: str) -> tuple[str, list[int]]:
    """Map brackets, full-width digits and 號; drop whitespace.

    Returns the compact text and, for each of its characters, the index of
    the character it came from, so spans can be mapped back to the original.
    """
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isspace() or char in _INVISIBLE:
            continue
        chars.append(char.translate(_CHAR_MAP))
        origin.append(index)
    return "".join(chars), origin


def _date_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- parsing -----------------------------------------------------------------


@dataclass(frozen=True)
class _Court:
    code: str
    name: str | None
    level: CourtLevel
    label: str
    province: str | None
    tag: Tag | None
    notes: tuple[str, ...]


def _year(s: str) -> tuple[int, str]:
    """Split off the year (brackets optional): (year, rest)."""
    match = re.match(r"(\()?(\d+)(\))?", s)
    if match is None:
        if re.match(f"[{_CJK}]", s) and re.search(r"\d", s):
            raise CaseNumberError("缺少收案年度：案号应以“（2024）”这样的年份开头")
        raise CaseNumberError(f"“{s}”不是案号：案号形如（2024）内0602民初1234号")
    digits = match.group(2)
    if len(digits) != 4:
        raise CaseNumberError(f"年份“{digits}”应为四位数字，如（2024）")
    return int(digits), s[match.end() :]


def _check_new_year(year: int, today: date) -> None:
    if year < NEW_FORMAT_FROM:
        raise CaseNumberError(
            f"年份 {year} 不合理：现行格式的案号自 {NEW_FORMAT_FROM} 年起使用，"
            "此前的案号形如（2013）东法民初字第37号"
        )
    if year > today.year + 1:
        raise CaseNumberError(f"年份 {year} 不合理：晚于当前年份 {today.year}")


def _court(code: str, digits: str, year: int, grammar: Grammar) -> _Court:
    """Resolve a court code: the Ordos directory, else province and level only."""
    if code == grammar.supreme_code:
        return _Court(
            code,
            grammar.supreme_name,
            "supreme",
            grammar.supreme_name,
            None,
            grammar.supreme_tag,
            (),
        )
    high = grammar.high_courts[code[0]]
    directory = load_court_directory()
    court = directory.by_code(code)
    if court is not None:
        return _Court(
            code,
            court.name,
            court.level,
            court.name,
            high.region,
            court.tag,
            _directory_notes(court, year),
        )
    if not digits:
        return _Court(code, high.high_court, "high", high.high_court, high.region, high.tag, ())
    level: CourtLevel = "intermediate" if len(digits) == 2 else "basic"
    if level == "intermediate" and digits == "00":
        raise CaseNumberError(f"法院代字“{code}”无效：中级法院代字的两位数字不能是 00")
    if level == "basic" and digits[2:] == "00":
        raise CaseNumberError(f"法院代字“{code}”无效：基层法院代字的后两位不能是 00")
    notes: list[str] = []
    label = f"{high.region}的{LEVEL_NAMES[level]}"
    if int(digits[:2]) >= SPECIAL_FROM:
        label = f"{high.region}的专门{LEVEL_NAMES[level]}"
        kind = grammar.special_kind(digits[:2])
        where = "代字" if level == "intermediate" else "代字前两位"
        assigned = f"划给{kind}" if kind else "未列明用途"
        notes.append(
            f"{where}“{digits[:2]}”在法〔2018〕335号中{assigned}；具体是哪个法院，{UNVERIFIED_NOTE}"
        )
    if level == "basic" and directory.by_code(code[:3]) is not None:
        notes.append(f"法院代字“{code}”不在本系统的鄂尔多斯法院名录中，请核对")
    return _Court(code, None, level, label, high.region, high.tag, tuple(notes))


def _directory_notes(court: Court, year: int) -> tuple[str, ...]:
    notes: list[str] = []
    if not court.verified:
        notes.append(
            f"法院代字“{court.code}”是按行政区划代码推定的，尚未在公开案号中核实，{UNVERIFIED_NOTE}"
        )
    since = court.accepts_cases_from
    if since is not None and year < since.year:
        notes.append(
            f"{court.name}自{_date_text(since)}起受理案件，{year}年的案号不应属于该院，请核对"
        )
    return tuple(notes)


def _court_code(rest: str, grammar: Grammar) -> tuple[str, str, str]:
    """Split off the court code: (code, its digits, rest)."""
    if rest.startswith(grammar.supreme_code):
        after = rest[len(grammar.supreme_code) :]
        if after[:1].isdigit():
            raise CaseNumberError(f"法院代字“{grammar.supreme_code}”后面不应有数字")
        return grammar.supreme_code, "", after
    if not rest:
        raise CaseNumberError("年份后面缺少法院代字、类型代字和编号")
    head = rest[0]
    if head.isdigit():
        raise CaseNumberError("法院代字缺少省级简称：应写作“内0602”这样的形式")
    if head in grammar.invalid_codes:
        raise CaseNumberError(f"法院代字“{head}”无效：{grammar.invalid_codes[head]}")
    if head not in grammar.high_courts:
        raise CaseNumberError(f"法院代字“{head}”无效：应为省级简称（如“内”“京”）或“最高法”")
    digits = re.match(r"\d*", rest[1:])
    assert digits is not None  # \d* always matches
    number = digits.group()
    if len(number) not in (0, 2, 4):
        if rest[1 + len(number) :] in ("", "号"):
            raise CaseNumberError("缺少类型代字（如“民初”“执”）")
        raise CaseNumberError(
            f"法院代字“{head}{number}”无效：省级简称后应为两位（中级法院）或四位（基层法院）数字"
        )
    return head + number, number, rest[1 + len(number) :]


def _type_code(text: str, grammar: Grammar) -> tuple[SpecialCode | None, CaseType]:
    case_type = grammar.types.get(text)
    if case_type is not None:
        return None, case_type
    special = grammar.special_codes.get(text[:1])
    if special is not None and text[1:] in grammar.types:
        return special, grammar.types[text[1:]]
    bare = text[1:] if special is not None else text
    hint = grammar.mistakes.get(text) or grammar.mistakes.get(bare)
    if hint is None and len(text) > 1:
        hint = "常见的类型代字有民初、民终、执、执保、刑初、行初等"
    message = f"类型代字“{text}”不存在"
    raise CaseNumberError(f"{message}：{hint}" if hint else message)


def _serial(rest: str) -> str:
    """The serial digits as written; nothing but “号” may follow them."""
    match = re.match(r"(\d*)(号?)", rest)
    assert match is not None
    digits, mark = match.group(1), match.group(2)
    if not digits:
        if not rest or rest == "号":
            raise CaseNumberError("缺少案件编号")
        raise CaseNumberError(f"案号中有无法识别的内容“{rest}”")
    leftover = rest[match.end() :]
    if leftover:
        where = "“号”后面" if mark else "编号后面"
        raise CaseNumberError(f"案号{where}有多余的内容“{leftover}”")
    if int(digits) == 0:
        raise CaseNumberError("案件编号应从 1 开始")
    if len(str(int(digits))) > MAX_SERIAL_DIGITS:
        raise CaseNumberError(f"案件编号“{digits}”位数过多")
    return digits


def _parse_new(year: int, rest: str, today: date, grammar: Grammar) -> CaseNumber:
    _check_new_year(year, today)
    code, digits, rest = _court_code(rest, grammar)
    match = re.match(f"[{_CJK}]*", rest)
    assert match is not None
    type_text = match.group()
    rest = rest[match.end() :]
    notes: list[str] = []
    if not type_text:
        if rest[:1].isdigit():
            raise CaseNumberError("缺少类型代字（如“民初”“执”）")
        raise CaseNumberError(f"法院代字“{code}”后面有无法识别的内容“{rest}”")
    if type_text.endswith("号") and not rest:
        raise CaseNumberError("缺少案件编号")
    if type_text.endswith("第") and len(type_text) > 1:
        type_text = type_text[:-1]
        notes.append("现行格式的案号中没有“第”字，已去掉")
    court = _court(code, digits, year, grammar)
    special, case_type = _type_code(type_text, grammar)
    written = _serial(rest)
    serial = int(written)
    shown = written if case_type.random_serial else str(serial)
    if shown != written:
        notes.append(f"编号前面的 0 已去掉：{written} 即第 {serial} 号")
    head = code[0]
    if code != grammar.supreme_code and head != "内":
        for old in load_court_directory().all():
            if head in old.old_codes:
                notes.append(
                    f"现行格式案号中的“{head}”是{court.province}法院的代字，不是{old.name}"
                    f"（该院的代字是“{old.code}”；"
                    f"“{head}”只在 {NEW_FORMAT_FROM} 年以前的旧案号中指该院）"
                )
    if case_type.tag == "U":
        notes.append(f"类型代字“{case_type.code}”见于实际案号，但其出处未经核实，{UNVERIFIED_NOTE}")
    if case_type.random_serial:
        notes.append("此类案件的编号是随机生成的8位数，不是当年的收案顺序号")
    special_code = special.code if special else ""
    canonical = f"（{year}）{code}{special_code}{case_type.code}{shown}号"
    return CaseNumber(
        canonical=canonical,
        year=year,
        court_code=code,
        court=court.name,
        court_level=court.level,
        court_label=court.label,
        province=court.province,
        special_code=special.code if special else None,
        special=special.meaning if special else None,
        type_code=case_type.code,
        type=case_type.meaning,
        type_category=case_type.category,
        type_class=case_type.type_class,
        serial=serial,
        old_format=False,
        notes=court.notes + tuple(notes),
        court_tag=court.tag,
        type_tag=case_type.tag,
        random_serial=case_type.random_serial,
    )


def _old_type(prefix: str, grammar: Grammar) -> tuple[str, str, str]:
    """Split "东法民初" into ("东法", "民初", "民事一审"); court part must be non-empty."""
    kinds = "".join(grammar.old_kinds)
    stages = "".join(grammar.old_stages)
    pattern = re.compile(f"([{kinds}])([一二三四五六七八九十]*)([{stages}]*)")
    for start in range(1, len(prefix)):
        match = pattern.fullmatch(prefix, start)
        if match is None:
            continue
        kind, tribunal, stage = match.groups()
        meaning = grammar.old_kinds[kind] + "".join(grammar.old_stages[s] for s in stage)
        if tribunal:
            meaning += f"（{kind}{tribunal}庭）"
        return prefix[:start], prefix[start:], meaning
    raise CaseNumberError(
        f"无法识别旧案号中的“{prefix}”：应为法院简称加类型，如（2013）东法民初字第37号"
    )


def _parse_old(year: int, rest: str, today: date, grammar: Grammar) -> CaseNumber:
    prefix, _, after = rest.partition("字第")
    if year >= NEW_FORMAT_FROM or re.search(r"\d", prefix):
        try:
            suggestion = _parse_new(year, prefix + after, today, grammar).canonical
        except CaseNumberError:
            suggestion = None
        if suggestion is not None:
            raise CaseNumberError(
                f"“字第”格式只用于 {NEW_FORMAT_FROM} 年以前的案号，应写作“{suggestion}”"
            )
        raise CaseNumberError(
            f"年份 {year} 不合理：“字第”格式的旧案号只用到 {NEW_FORMAT_FROM - 1} 年"
        )
    if year < OLD_FORMAT_FROM:
        raise CaseNumberError(f"年份 {year} 不合理")
    if not prefix:
        raise CaseNumberError("“字第”前面缺少法院简称和类型，如（2013）东法民初字第37号")
    if not re.fullmatch(f"[{_CJK}]+", prefix):
        raise CaseNumberError(f"旧案号中有无法识别的内容“{prefix}”")
    abbreviation, type_text, meaning = _old_type(prefix, grammar)
    if len(abbreviation) > 6:
        raise CaseNumberError(f"旧案号中的法院简称“{abbreviation}”过长")
    written = _serial(after)
    serial = int(written)
    notes = [
        f"这是 {NEW_FORMAT_FROM} 年以前的旧格式案号：法院简称和类型简称由各法院自定，"
        "类型的解释仅供参考"
    ]
    if written != str(serial):
        notes.append(f"编号前面的 0 已去掉：{written} 即第 {serial} 号")
    court = load_court_directory().by_old_code(abbreviation)
    if court is None:
        notes.append(f"旧案号中的法院简称“{abbreviation}”不在本系统的名录中，无法确定是哪个法院")
    else:
        same = grammar.high_courts.get(abbreviation)
        if same is not None and same.region != "内蒙古自治区":
            notes.append(
                f"旧格式案号中的“{abbreviation}”指{court.name}，不是{same.region}；"
                f"{NEW_FORMAT_FROM} 年起的现行格式中“{abbreviation}”才是{same.region}法院的代字"
            )
    return CaseNumber(
        canonical=f"（{year}）{abbreviation}{type_text}字第{serial}号",
        year=year,
        court_code=abbreviation,
        court=court.name if court else None,
        court_level=court.level if court else None,
        court_label=court.name if court else f"简称为“{abbreviation}”的法院",
        province="内蒙古自治区" if court else None,
        special_code=None,
        special=None,
        type_code=type_text,
        type=meaning,
        type_category=None,
        type_class=None,
        serial=serial,
        old_format=True,
        notes=tuple(notes),
        court_tag=court.old_codes_tag if court else None,
        type_tag="I",
    )


def parse_case_number(text: str, today: date | None = None) -> CaseNumber:
    """Parse, normalise and validate one case number; raise CaseNumberError if invalid.

    ``today`` bounds the plausible year (at most next year); it defaults to
    the current date and is a parameter so results are reproducible.
    """
    today = today or date.today()
    grammar = load_grammar()
    s, _ = _compact(text)
    if not s:
        raise CaseNumberError("没有输入案号")
    year, rest = _year(s)
    if "字第" in rest:
        return _parse_old(year, rest, today, grammar)
    return _parse_new(year, rest, today, grammar)


# --- finding case numbers in a message ----------------------------------------

_CANDIDATE = re.compile(
    rf"""
    (?<!\d) \(? \d{{4}} \)?
    (?:
        [{_CJK}]{{1,12}}? 字第 \d+ 号?                        # pre-2016: 东法民初字第37号
      | (?: 最高法 | [{_CJK}] (?: \d{{4}} | \d{{2}} )? )      # court code
        [{_CJK}]{{1,5}}? 第? \d+ 号?                          # type code, serial
    )
    (?!\d)
    """,
    re.VERBOSE,
)


def find_case_numbers(text: str, today: date | None = None) -> list[tuple[int, int, CaseNumber]]:
    """Every valid case number in a message as (start, end, parsed), spans in ``text``.

    Spans index the ORIGINAL text (end exclusive), so they can serve as Rasa
    entity start/end even when the number contains spaces or full-width
    characters. Candidates that do not parse (phone numbers, amounts, dates)
    are left out.
    """
    compact, origin = _compact(text)
    found: list[tuple[int, int, CaseNumber]] = []
    for match in _CANDIDATE.finditer(compact):
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        try:
            parsed = parse_case_number(text[start:end], today=today)
        except CaseNumberError:
            continue
        found.append((start, end, parsed))
    return found
