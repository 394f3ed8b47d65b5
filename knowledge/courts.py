"""The Ordos court directory: codes, official names, the names people use, contacts.

Names and codes are facts (knowledge/data/courts.yaml, with their tag); contact
details are not facts we hold, so they come only from the court's own
config/courts.yaml and are shown only when the court has filled them in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

from knowledge.loader import KnowledgeDataError, Tag, check_tag, load_config, load_data

Level = Literal["high", "intermediate", "basic"]
LEVELS: tuple[str, ...] = ("high", "intermediate", "basic")
LEVEL_NAMES: dict[str, str] = {
    "supreme": "最高人民法院",
    "high": "高级法院",
    "intermediate": "中级法院",
    "basic": "基层法院",
}

_DATA = "knowledge/data/courts.yaml"
_CONTACT_FIELDS = ("address", "phone", "hours", "note", "source")
_CONTACT_LABELS = {"address": "地址", "phone": "电话", "hours": "办公时间", "note": "说明"}
_PHONE = re.compile(r"^[0-9\-\s转、，,()（）+/]+$")
#: Place-name prefixes people put in front of a court's name ("鄂尔多斯市达拉特旗法院").
_PREFIXES = ("内蒙古自治区", "内蒙古", "鄂尔多斯市", "鄂尔多斯")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class CourtContact:
    """What the court configured about itself; every field may be missing."""

    address: str | None = None
    phone: str | None = None
    hours: str | None = None
    note: str | None = None
    source: str | None = None

    @property
    def configured(self) -> bool:
        """True when the court has set something a user can be shown."""
        return any((self.address, self.phone, self.hours, self.note))

    def lines(self) -> list[str]:
        """The configured fields as "地址：…" lines for a reply; empty when nothing is set."""
        return [
            f"{label}：{value}"
            for key, label in _CONTACT_LABELS.items()
            if (value := getattr(self, key))
        ]


@dataclass(frozen=True)
class Court:
    code: str
    admin_code: str
    name: str
    short_names: tuple[str, ...]
    level: Level
    tag: Tag
    source: str
    contact: CourtContact = field(default_factory=CourtContact)
    #: Abbreviations this court used in pre-2016 "字第" case numbers.
    old_codes: tuple[str, ...] = ()
    old_codes_tag: Tag | None = None
    #: First day the court accepted cases, when it was set up recently.
    accepts_cases_from: date | None = None

    @property
    def verified(self) -> bool:
        """Whether the court code is seen in real case numbers (not only inferred)."""
        return self.tag in ("V", "S")


def _base(name: str) -> str:
    """A name with spaces removed and "人民法院" folded to "法院", for matching."""
    text = _SPACES.sub("", name)
    if text.endswith("人民法院"):
        text = text[: -len("人民法院")] + "法院"
    return text


@dataclass(frozen=True)
class CourtDirectory:
    courts: tuple[Court, ...]
    _by_code: dict[str, Court] = field(init=False, repr=False, compare=False)
    _by_name: dict[str, Court] = field(init=False, repr=False, compare=False)
    _by_old: dict[str, Court] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name: dict[str, Court] = {}
        by_old: dict[str, Court] = {}
        for court in self.courts:
            for name in (court.name, *court.short_names):
                key = _base(name)
                other = by_name.get(key)
                if other is not None and other is not court:
                    raise KnowledgeDataError(
                        f"{_DATA} {court.code}: 名称“{name}”与 {other.code} 重复"
                    )
                by_name[key] = court
            for old in court.old_codes:
                by_old[old] = court
        object.__setattr__(self, "_by_code", {c.code: c for c in self.courts})
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_by_old", by_old)

    def all(self) -> tuple[Court, ...]:
        return self.courts

    def by_code(self, code: str) -> Court | None:
        return self._by_code.get(_SPACES.sub("", code))

    def by_old_code(self, abbreviation: str) -> Court | None:
        """The court behind a pre-2016 abbreviation such as "东法" or "鄂"."""
        return self._by_old.get(abbreviation)

    def find(self, name: str) -> Court | None:
        """Look a court up by full name or short name.

        Tolerates "人民法院"/"法院" and a leading "内蒙古"/"鄂尔多斯市", so
        "鄂尔多斯市达拉特旗法院" and "东胜区人民法院" are found; a bare place
        name ("东胜") is not a court name and is not matched.
        """
        text = _base(name)
        while text:
            court = self._by_name.get(text)
            if court is not None:
                return court
            prefix = next((p for p in _PREFIXES if text.startswith(p)), None)
            if prefix is None:
                return None
            text = text[len(prefix) :]
        return None

    def aliases(self) -> dict[str, Court]:
        """Every name form (full, short, "…法院" and "…人民法院") → court, longest first.

        Longest first so an entity extractor scanning a message prefers
        "鄂尔多斯市中级人民法院" over "中院".
        """
        forms: dict[str, Court] = {}
        for court in self.courts:
            for name in (court.name, *court.short_names):
                base = _base(name)
                forms[base] = court
                if base.endswith("法院"):
                    forms[base[: -len("法院")] + "人民法院"] = court
        return dict(sorted(forms.items(), key=lambda item: (-len(item[0]), item[0])))


# --- loading ---------------------------------------------------------------


def _text(raw: dict[str, Any], key: str, origin: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeDataError(f"{origin}: 缺少 {key}")
    return value.strip()


def _texts(raw: dict[str, Any], key: str, origin: str) -> tuple[str, ...]:
    value = raw.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise KnowledgeDataError(f"{origin}: {key} 应为非空文字的列表")
    return tuple(value)


def _contact(raw: Any, origin: str) -> CourtContact:
    if raw is None:
        return CourtContact()
    if not isinstance(raw, dict):
        raise KnowledgeDataError(f"{origin}: 应为映射 (address/phone/hours/note/source)")
    unknown = sorted(set(raw) - set(_CONTACT_FIELDS))
    if unknown:
        raise KnowledgeDataError(
            f"{origin}: 不认识的字段 {'、'.join(map(str, unknown))}，"
            f"可用字段：{'、'.join(_CONTACT_FIELDS)}"
        )
    values: dict[str, str | None] = {}
    for key in _CONTACT_FIELDS:
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            values[key] = None
            continue
        if not isinstance(value, str | int):
            raise KnowledgeDataError(f"{origin}.{key}: 应为文字")
        values[key] = str(value).strip()
    phone = values["phone"]
    if phone is not None and (not _PHONE.match(phone) or not any(c.isdigit() for c in phone)):
        raise KnowledgeDataError(f"{origin}.phone: “{phone}”不像电话号码")
    return CourtContact(**values)


def _contacts(config_dir: Path | None, codes: set[str]) -> dict[str, CourtContact]:
    raw = load_config(config_dir, "courts.yaml").get("courts") or {}
    origin = f"{config_dir}/courts.yaml courts"
    if not isinstance(raw, dict):
        raise KnowledgeDataError(f"{origin}: 应为以法院代字为键的映射")
    contacts: dict[str, CourtContact] = {}
    for code, item in raw.items():
        if str(code) not in codes:
            raise KnowledgeDataError(
                f"{origin}.{code}: 不是名录中的法院代字，可用：{'、'.join(sorted(codes))}"
            )
        contacts[str(code)] = _contact(item, f"{origin}.{code}")
    return contacts


def _court(raw: Any, index: int) -> Court:
    origin = f"{_DATA} courts[{index}]"
    if not isinstance(raw, dict):
        raise KnowledgeDataError(f"{origin}: 应为映射")
    code = _text(raw, "code", origin)
    origin = f"{_DATA} {code}"
    admin_code = str(raw.get("admin_code", ""))
    if not re.fullmatch(r"15\d{4}", admin_code):
        raise KnowledgeDataError(f"{origin}: admin_code 应为 15 开头的六位数字")
    level = raw.get("level")
    if level not in LEVELS:
        raise KnowledgeDataError(f"{origin}: level 应为 {'/'.join(LEVELS)} 之一")
    since = raw.get("accepts_cases_from")
    if since is not None and not isinstance(since, date):
        raise KnowledgeDataError(f"{origin}: accepts_cases_from 应为日期 YYYY-MM-DD")
    old_codes = _texts(raw, "old_codes", origin)
    old_tag: Tag | None = None
    if old_codes:
        if not raw.get("old_codes_source"):
            raise KnowledgeDataError(f"{origin}: old_codes 需要 old_codes_source")
        old_tag = check_tag(raw.get("old_codes_tag"), f"{origin} old_codes_tag")
    return Court(
        code=code,
        admin_code=admin_code,
        name=_text(raw, "name", origin),
        short_names=_texts(raw, "short_names", origin),
        level=level,
        tag=check_tag(raw.get("tag"), origin),
        source=_text(raw, "source", origin),
        old_codes=old_codes,
        old_codes_tag=old_tag,
        accepts_cases_from=since,
    )


def court_directory_from(raw: Any, config_dir: Path | None = None) -> CourtDirectory:
    """Build the directory from parsed courts.yaml content plus the court's contacts."""
    items = raw.get("courts") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        raise KnowledgeDataError(f"{_DATA}: 缺少 courts 列表")
    courts = [_court(item, i) for i, item in enumerate(items)]
    codes = [c.code for c in courts]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise KnowledgeDataError(f"{_DATA}: 法院代字重复 {'、'.join(duplicates)}")
    contacts = _contacts(config_dir, set(codes))
    return CourtDirectory(
        courts=tuple(
            replace(court, contact=contacts.get(court.code, CourtContact())) for court in courts
        )
    )


@cache
def load_court_directory(config_dir: Path | None = None) -> CourtDirectory:
    """The Ordos courts, with contacts from ``config_dir``/courts.yaml when configured."""
    return court_directory_from(load_data("courts.yaml"), config_dir)
