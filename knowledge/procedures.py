"""Procedure answers: one short, plain-Chinese answer per service of the window.

The answers are data (knowledge/data/procedures.yaml), each sentence carrying
its source and tag, because a litigant acts on them and a court must be able
to check every one. This module loads them once into frozen dataclasses and
refuses a file that breaks the rules the answers promise: a summary short
enough for a phone, a source and tag on every fact, "以法院公告为准" on every
unverified fact, and no invented phone numbers or web addresses.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from knowledge.intents import INTENTS
from knowledge.loader import (
    UNVERIFIED_NOTE,
    KnowledgeDataError,
    Tag,
    check_tag,
    load_data,
    parse_yaml,
)

DATA_FILE = "procedures.yaml"

#: Longest summary, in characters: what fits one phone screen.
SUMMARY_LIMIT = 300

#: The detail blocks an answer may have, with their titles; always shown in this order.
SECTION_TITLES: dict[str, str] = {
    "materials": "所需材料",
    "steps": "办理流程",
    "deadlines": "期限",
    "fees": "费用",
    "where": "到哪里办",
    "notes": "注意事项",
}


#: The only phone numbers an answer may contain (facts.md §5.10, both [S]).
HOTLINES: frozenset[str] = frozenset({"12368", "12348"})

#: Number of model texts in the 2025 set (facts.md §1.3).
TEMPLATE_COUNT = 67

_DIGIT_RUN = re.compile(r"\d{5,}")
_KEY = re.compile(r"^[a-z][a-z_]*$")
_ENTRY_FIELDS = frozenset({"title", "summary", "sections", "related", "template_numbers"})
_FACT_FIELDS = frozenset({"text", "source", "tag"})
_SUMMARY_FIELDS = frozenset({"text", "sources", "tag"})


class ProcedureLookupError(ValueError):
    """A procedure or section was asked for that does not exist."""


class UnknownProcedure(ProcedureLookupError):
    """No answer under that key; the message lists close keys, in Chinese."""


class UnknownSection(ProcedureLookupError):
    """The answer has no such section; the message lists the ones it has."""


@dataclass(frozen=True)
class Fact:
    """One sentence a litigant reads, with where it comes from and how sure it is."""

    text: str
    source: str
    tag: Tag

    @property
    def unverified(self) -> bool:
        return self.tag == "U"

    def as_dict(self) -> dict[str, str]:
        return {"text": self.text, "source": self.source, "tag": self.tag}


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    items: tuple[Fact, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "items": [item.as_dict() for item in self.items]}


@dataclass(frozen=True)
class Procedure:
    """The answer for one service: a phone-sized summary plus detail sections."""

    key: str
    title: str
    summary: str
    summary_sources: tuple[str, ...]
    summary_tag: Tag
    sections: tuple[Section, ...]
    related: tuple[str, ...]
    template_numbers: tuple[int, ...]
    disclaimer: str

    @property
    def section_keys(self) -> tuple[str, ...]:
        return tuple(section.key for section in self.sections)

    def section(self, name: str) -> Section:
        """The section named by key (``deadlines``) or title (``期限``)."""
        wanted = name.strip()
        for section in self.sections:
            if wanted in (section.key, section.title):
                return section
        choices = "，".join(f"{s.key}（{s.title}）" for s in self.sections)
        raise UnknownSection(f"“{self.title}”没有这一部分: {wanted}；可选: {choices}")

    def facts(self) -> Iterator[Fact]:
        for section in self.sections:
            yield from section.items

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "summary": self.summary,
            "sources": list(self.summary_sources),
            "tag": self.summary_tag,
            "sections": {s.key: s.as_dict() for s in self.sections},
            "related": list(self.related),
            "template_numbers": list(self.template_numbers),
            "disclaimer": self.disclaimer,
        }


@dataclass(frozen=True)
class ProcedureBook:
    """All procedure answers, by key, and the shared disclaimer."""

    procedures: Mapping[str, Procedure]
    disclaimer: str
    disclaimer_sources: tuple[str, ...]

    def keys(self) -> tuple[str, ...]:
        return tuple(self.procedures)

    def __contains__(self, key: object) -> bool:
        return key in self.procedures

    def all(self) -> tuple[Procedure, ...]:
        """Every answer, in file order."""
        return tuple(self.procedures.values())

    def get(self, key: str) -> Procedure:
        """The answer under ``key`` (or its Chinese title, e.g. ``上诉``)."""
        wanted = key.strip()
        if wanted in self.procedures:
            return self.procedures[wanted]
        for procedure in self.all():
            if procedure.title == wanted:
                return procedure
        close = self.close_keys(wanted)
        hint = f"；相近的有: {'，'.join(close)}" if close else f"；可选: {'，'.join(self.keys())}"
        raise UnknownProcedure(f"没有这个办事指南: {wanted}{hint}")

    def close_keys(self, word: str, limit: int = 5) -> list[str]:
        """Keys resembling ``word``: spelling neighbours, or keys/titles containing it."""
        found = difflib.get_close_matches(word, self.keys(), n=limit, cutoff=0.5)
        for procedure in self.procedures.values():
            if len(found) >= limit:
                break
            if procedure.key in found or not word:
                continue
            if word in procedure.title or procedure.title in word or word in procedure.key:
                found.append(procedure.key)
        return found


def render(procedure: Procedure, section: str | None = None) -> str:
    """Phone-ready text: the summary and disclaimer, or one section as a numbered list."""
    if section is None:
        return f"{procedure.summary}\n\n※ {procedure.disclaimer}"
    chosen = procedure.section(section)
    lines = [f"【{procedure.title}·{chosen.title}】"]
    lines += [f"{number}. {item.text}" for number, item in enumerate(chosen.items, start=1)]
    return "\n".join(lines)


@cache
def load_procedures() -> ProcedureBook:
    """The package's procedure answers (read and validated once)."""
    return build_book(load_data(DATA_FILE), f"knowledge/data/{DATA_FILE}")


def procedures_from_text(text: str, origin: str = "<text>") -> ProcedureBook:
    """Validate procedure answers given as YAML text (for tests and editing tools)."""
    return build_book(parse_yaml(text, origin), origin)


def build_book(raw: Any, origin: str) -> ProcedureBook:
    """Turn parsed YAML into a ProcedureBook, failing loudly on the first bad item."""
    if not isinstance(raw, dict):
        raise KnowledgeDataError(f"{origin}: 顶层应为映射，含 disclaimer 和 procedures")
    unknown = set(raw) - {"disclaimer", "procedures"}
    if unknown:
        raise KnowledgeDataError(f"{origin}: 未知的顶层字段 {sorted(unknown)}")
    disclaimer, disclaimer_sources = _disclaimer(raw.get("disclaimer"), origin)
    entries = raw.get("procedures")
    if not isinstance(entries, dict) or not entries:
        raise KnowledgeDataError(f"{origin}: procedures 应为非空映射")
    procedures: dict[str, Procedure] = {}
    for key, entry in entries.items():
        if not isinstance(key, str) or not _KEY.match(key):
            raise KnowledgeDataError(f"{origin}: 办事指南的键应为小写英文: {key!r}")
        procedures[key] = _procedure(key, entry, disclaimer, f"{origin}: {key}")
    return ProcedureBook(MappingProxyType(procedures), disclaimer, disclaimer_sources)


def _disclaimer(value: Any, origin: str) -> tuple[str, tuple[str, ...]]:
    where = f"{origin}: disclaimer"
    raw_text: Any = value
    sources: tuple[str, ...] = ()
    if isinstance(value, dict):
        raw_text = value.get("text")
        sources = _sources(value.get("sources", []), where, allow_empty=True)
    elif not isinstance(value, str):
        raise KnowledgeDataError(f"{where}: 缺少免责声明（文字或 text/sources 映射）")
    text = _text(raw_text, where)
    if "法律意见" not in text:
        raise KnowledgeDataError(f"{where}: 免责声明应说明“不提供法律意见”")
    return text, sources


def _procedure(key: str, entry: Any, disclaimer: str, where: str) -> Procedure:
    if not isinstance(entry, dict):
        raise KnowledgeDataError(f"{where}: 应为映射")
    unknown = set(entry) - _ENTRY_FIELDS
    if unknown:
        raise KnowledgeDataError(f"{where}: 未知字段 {sorted(unknown)}")
    title = _text(entry.get("title"), f"{where}.title")
    summary, sources, tag = _summary(entry.get("summary"), f"{where}.summary")
    sections = _sections(entry.get("sections", {}), f"{where}.sections")
    related = _related(key, entry.get("related", []), f"{where}.related")
    numbers = template_numbers(entry.get("template_numbers", []), f"{where}.template_numbers")
    return Procedure(key, title, summary, sources, tag, sections, related, numbers, disclaimer)


def _summary(value: Any, where: str) -> tuple[str, tuple[str, ...], Tag]:
    if not isinstance(value, dict):
        raise KnowledgeDataError(f"{where}: 应为映射，含 text、sources、tag")
    unknown = set(value) - _SUMMARY_FIELDS
    if unknown:
        raise KnowledgeDataError(f"{where}: 未知字段 {sorted(unknown)}")
    text = _text(value.get("text"), f"{where}.text")
    if len(text) > SUMMARY_LIMIT:
        raise KnowledgeDataError(f"{where}.text: 摘要{len(text)}字，超过{SUMMARY_LIMIT}字上限")
    sources = _sources(value.get("sources"), f"{where}.sources", allow_empty=False)
    tag = check_tag(value.get("tag"), f"{where}.tag")
    _require_note(text, tag, f"{where}.text")
    return text, sources, tag


def _sections(value: Any, where: str) -> tuple[Section, ...]:
    return parse_sections(value, where, _fact)


def parse_sections(value: Any, where: str, fact: Callable[[Any, str], Fact]) -> tuple[Section, ...]:
    """Detail sections ``{name: [fact, …]}`` in SECTION_TITLES order; ``fact`` reads one
    item with the checks of the file it comes from (procedures, dispute paths)."""
    if not isinstance(value, dict):
        raise KnowledgeDataError(f"{where}: 应为映射（部分名: 条目列表）")
    sections: list[Section] = []
    for name, items in value.items():
        if name not in SECTION_TITLES:
            allowed = ", ".join(SECTION_TITLES)
            raise KnowledgeDataError(f"{where}: 未知的部分 {name!r}（可用: {allowed}）")
        if not isinstance(items, list) or not items:
            raise KnowledgeDataError(f"{where}.{name}: 应为非空列表")
        facts = tuple(fact(item, f"{where}.{name}[{i}]") for i, item in enumerate(items))
        sections.append(Section(name, SECTION_TITLES[name], facts))
    order = list(SECTION_TITLES)
    return tuple(sorted(sections, key=lambda section: order.index(section.key)))


def _fact(value: Any, where: str) -> Fact:
    if not isinstance(value, dict):
        raise KnowledgeDataError(f"{where}: 应为映射，含 text、source、tag")
    unknown = set(value) - _FACT_FIELDS
    if unknown:
        raise KnowledgeDataError(f"{where}: 未知字段 {sorted(unknown)}")
    text = _text(value.get("text"), f"{where}.text")
    source = value.get("source")
    if not isinstance(source, str) or not source.strip():
        raise KnowledgeDataError(f"{where}: 缺少 source（事实来源）")
    tag = check_tag(value.get("tag"), f"{where}.tag")
    _require_note(text, tag, f"{where}.text")
    return Fact(text, source.strip(), tag)


def _text(value: Any, where: str) -> str:
    return checked_text(value, where, HOTLINES)


def checked_text(value: Any, where: str, hotlines: frozenset[str]) -> str:
    """A user-facing sentence: present, and free of invented numbers and addresses
    (only the ``hotlines`` may appear)."""
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeDataError(f"{where}: 缺少文字")
    text = value.strip()
    lowered = text.lower()
    if "http" in lowered or "www." in lowered:
        raise KnowledgeDataError(f"{where}: 不得包含网址")
    for run in _DIGIT_RUN.findall(text):
        if run not in hotlines:
            allowed = "、".join(sorted(hotlines))
            raise KnowledgeDataError(f"{where}: 疑似电话号码 {run}（只允许 {allowed}）")
    return text


def _require_note(text: str, tag: Tag, where: str) -> None:
    if tag == "U" and UNVERIFIED_NOTE not in text:
        raise KnowledgeDataError(f"{where}: 未核实（U）的内容必须写明“{UNVERIFIED_NOTE}”")


def _sources(value: Any, where: str, *, allow_empty: bool) -> tuple[str, ...]:
    if not isinstance(value, list) or (not value and not allow_empty):
        raise KnowledgeDataError(f"{where}: 应为非空的来源列表")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise KnowledgeDataError(f"{where}: 来源应为非空文字: {item!r}")
    return tuple(item.strip() for item in value)


def _related(key: str, value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise KnowledgeDataError(f"{where}: 应为意图名列表")
    for name in value:
        if name not in INTENTS:
            raise KnowledgeDataError(f"{where}: {name!r} 不是已定义的意图")
        if name == key:
            raise KnowledgeDataError(f"{where}: 不应指向自己")
    if len(set(value)) != len(value):
        raise KnowledgeDataError(f"{where}: 有重复的意图")
    return tuple(value)


def template_numbers(value: Any, where: str) -> tuple[int, ...]:
    """Model-text numbers 1–67 (procedures and dispute paths)."""
    if not isinstance(value, list):
        raise KnowledgeDataError(f"{where}: 应为示范文本编号列表")
    for number in value:
        if isinstance(number, bool) or not isinstance(number, int):
            raise KnowledgeDataError(f"{where}: 编号应为整数: {number!r}")
        if not 1 <= number <= TEMPLATE_COUNT:
            raise KnowledgeDataError(f"{where}: 编号应在 1–{TEMPLATE_COUNT} 之间: {number}")
    return tuple(value)
