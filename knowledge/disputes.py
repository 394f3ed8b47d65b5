"""Dispute paths: from a litigant's problem to the path a guide would name.

"公司欠我三个月工资" is not a question about 民事立案: a guide answers that labour
arbitration comes first, where, how long one has, what it costs. The paths are
data (knowledge/data/disputes.yaml, shared/domain/disputes.md §1.4), each sentence
with its source and tag like the procedure answers, checked here at load time:
a source key on every fact, "以法院公告为准" (or "confirm with the court") on every
unverified one, known court and limitation rules, a fee kind the calculator knows,
model-text numbers that exist, a first message short enough for a phone — and
never a sentence that says a claim is time-barred (disputes.md §0.13) or predicts
an outcome.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from typing import Any

from knowledge.fees import FeeSchedule, calculate_fee, load_fee_schedule, yuan
from knowledge.loader import KnowledgeDataError, Tag, check_tag, load_data, parse_yaml
from knowledge.procedures import (
    SECTION_TITLES,
    Fact,
    Section,
    checked_text,
    parse_sections,
    template_numbers,
)

DATA_FILE = "disputes.yaml"

#: Longest first message (without the disclaimer), in characters.
SUMMARY_LIMIT = 300

#: Territorial rules by key, in words (disputes.md §1.1); the court finder implements them.
COURT_RULES: dict[str, str] = {
    "defendant_domicile": "被告住所地（经常居住地）法院",
    "contract_performance": "被告住所地或合同履行地法院",
    "tort_place": "侵权行为地或被告住所地法院",
    "accident_place": "事故发生地、车辆最先到达地或被告住所地法院",
    "immovable_location": "不动产所在地法院（专属管辖）",
    "inheritance": "被继承人死亡时住所地或主要遗产所在地法院（专属管辖）",
    "labour_employer": "用人单位所在地或劳动合同履行地的基层法院",
    "arbitration_intermediate": "劳动仲裁委所在地的中级法院（撤销终局裁决）",
    "administrative": "最初作出行政行为的机关所在地法院（经复议的，复议机关所在地也可以）",
    "online_sale": "网购收货地或被告住所地法院",
    "plaintiff_domicile_several": "几个被告不在一地的，原告住所地法院",
    "crime_place": "犯罪地的基层法院",
}

#: Limitation rules by key, in words (disputes.md §1.3); the start goes in the entry's text.
LIMITATION_RULES: dict[str, str] = {
    "civil_3y": "诉讼时效3年",
    "civil_3y_stop_none": "赔偿3年；停止侵害、排除妨碍不受诉讼时效限制",
    "labour_arbitration_1y": "劳动仲裁时效1年",
    "award_15_days": "收到仲裁裁决书后15日内起诉",
    "work_injury_application": "申请工伤认定：单位30日，本人1年",
    "none_divorce": "离婚不受诉讼时效限制",
    "none_support": "抚养费、赡养费、扶养费不受诉讼时效限制",
    "administrative_6m_15d": "直接起诉6个月；复议后15日",
    "not_computed": "本助手不作计算",
}

#: Phone numbers a dispute answer may name (facts.md §5.10; disputes.md §5).
HOTLINES: frozenset[str] = frozenset({"12368", "12348", "12333", "12315"})

#: Source keys of disputes.md §9 and facts.md: every part of a source starts with one.
SOURCE_PREFIXES = ("LRB-", "P-", "facts §", "disputes §", "人民调解法")

#: What an unverified fact says instead of stating it as settled.
_UNVERIFIED = re.compile(r"以法院公告为准|以.{1,8}公告为准|向.{0,6}法院.{0,4}确认")
#: Sentences a dispute answer never contains: a claim called time-barred (disputes.md
#: §0.13) or an outcome foretold (procedural information only).
FORBIDDEN = (
    "已过时效",
    "已经过了时效",
    "时效已过",
    "过了时效就不能",
    "超过时效就不能",
    "超过诉讼时效就不能",
    "告不了了",
    "一定能赢",
    "肯定能赢",
    "能打赢",
    "会胜诉",
    "会败诉",
)
_KEY = re.compile(r"^[a-z][a-z_]*$")
_FEE_SLOT = "{fee}"
_ENTRY_FIELDS = frozenset(
    {
        "title",
        "parent",
        "case_categories",
        "words",
        "first",
        "court",
        "limitation",
        "fee",
        "sections",
        "template_numbers",
    }
)
_FACT_FIELDS = frozenset({"text", "source", "tag"})
#: The headline fact shown first in each detail section.
HEADLINE_OF_SECTION = {"steps": "first", "where": "court", "deadlines": "limitation", "fees": "fee"}


class UnknownDispute(ValueError):
    """No dispute path under that key."""


@dataclass(frozen=True)
class Ruled:
    """A headline fact that names a rule: the court's territorial rule(s) or the limitation."""

    rules: tuple[str, ...]
    fact: Fact


@dataclass(frozen=True)
class FeeRow:
    """The fee of a dispute: a kind of the fee calculator (None: no fee or unclear) and
    the sentence the figure goes into ("{fee}")."""

    kind: str | None
    fact: Fact


@dataclass(frozen=True)
class Dispute:
    key: str
    title: str
    parent: str | None
    case_categories: tuple[str, ...]
    words: tuple[str, ...]
    first: Fact
    court: Ruled
    limitation: Ruled
    fee: FeeRow
    sections: tuple[Section, ...]
    template_numbers: tuple[int, ...]

    @property
    def section_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*HEADLINE_OF_SECTION, *(s.key for s in self.sections)]))

    def section(self, key: str) -> Section | None:
        for section in self.sections:
            if section.key == key:
                return section
        return None

    def facts(self) -> Iterator[Fact]:
        yield self.first
        yield self.court.fact
        yield self.limitation.fact
        yield self.fee.fact
        for section in self.sections:
            yield from section.items


@dataclass(frozen=True)
class DisputeMatch:
    dispute: Dispute
    word: str | None  # the word that matched; None when only the case category did


@dataclass(frozen=True)
class DisputeBook:
    disputes: Mapping[str, Dispute]
    disclaimer: str
    defendant: Fact

    def keys(self) -> tuple[str, ...]:
        return tuple(self.disputes)

    def all(self) -> tuple[Dispute, ...]:
        return tuple(self.disputes.values())

    def get(self, key: str) -> Dispute:
        if key not in self.disputes:
            raise UnknownDispute(f"没有这个纠纷类型: {key}；可选: {'，'.join(self.keys())}")
        return self.disputes[key]

    def match(self, text: str, category: str | None = None) -> DisputeMatch | None:
        """The dispute the words describe: the longest matching word wins (file order
        breaks ties); the case category counts like a two-character word."""
        best: tuple[int, int, DisputeMatch] | None = None
        for order, dispute in enumerate(self.all()):
            found = [w for w in dispute.words if w in text]
            score = max((len(w) for w in found), default=0)
            word = max(found, key=len) if found else None
            if category is not None and category in dispute.case_categories and score < 2:
                score = 2
            if score and (best is None or score > best[0]):
                best = (score, -order, DisputeMatch(dispute, word))
        return None if best is None else best[2]


def fee_text(
    dispute: Dispute,
    amount: Decimal | None = None,
    schedule: FeeSchedule | None = None,
    *,
    halved: bool = False,
) -> str:
    """The fee sentence with the calculator's figure: for a money claim with no amount
    said, its first band ("1万元以内每件50元，以上分段累计")."""
    text = dispute.fee.fact.text
    kind = dispute.fee.kind
    if kind is None:
        return text
    schedule = schedule or load_fee_schedule()
    spec = schedule.kinds[kind]
    if spec.amount_rule == "required" and amount is None:
        first = calculate_fee(kind, Decimal(10000), schedule=schedule)
        figure = f"1万元以内每件{yuan(first.fee)}，以上按金额分段累计"
    else:
        used = amount if spec.amount_rule != "ignored" else None
        result = calculate_fee(kind, used, schedule=schedule)
        if result.min is not None:
            figure = f"{yuan(result.min)}至{yuan(result.max or result.fee)}"
        else:
            figure = yuan(result.fee)
        if amount is not None and spec.amount_rule != "ignored":
            figure = f"按{yuan(amount)}算{figure}"
            if halved:  # the detail section: the simplified-procedure figure too
                half = calculate_fee(kind, used, procedure="simplified", schedule=schedule)
                low = half.min if half.min is not None else half.fee
                high = half.max if half.max is not None else half.fee
                shown = yuan(low) if low == high else f"{yuan(low)}至{yuan(high)}"
                figure += f"（简易程序减半{shown}）"
    return text.replace(_FEE_SLOT, figure)


def summary(
    dispute: Dispute,
    amount: Decimal | None = None,
    *,
    defendant: Fact | None = None,
    schedule: FeeSchedule | None = None,
) -> str:
    """The first message: what comes first, which court, how long, what it costs."""
    lines = [
        f"【{dispute.title}】",
        f"先做什么：{dispute.first.text}",
        f"哪个法院：{dispute.court.fact.text}",
        f"时效期限：{dispute.limitation.fact.text}",
        f"费用：{fee_text(dispute, amount, schedule)}",
    ]
    if defendant is not None:
        lines.append(defendant.text)
    return "\n".join(lines)


def render(book: DisputeBook, dispute: Dispute, amount: Decimal | None = None) -> str:
    return f"{summary(dispute, amount)}\n\n※ {book.disclaimer}"


def section_text(dispute: Dispute, key: str, amount: Decimal | None = None) -> str | None:
    """One detail block as a numbered list, led by its headline fact; None if absent."""
    items: list[str] = []
    headline = HEADLINE_OF_SECTION.get(key)
    if headline == "first":
        items.append(dispute.first.text)
    elif headline == "court":
        items.append(dispute.court.fact.text)
    elif headline == "limitation":
        items.append(dispute.limitation.fact.text)
    elif headline == "fee":
        items.append(fee_text(dispute, amount, halved=True))
    section = dispute.section(key)
    if section is not None:
        items += [item.text for item in section.items]
    if not items:
        return None
    title = SECTION_TITLES.get(key, key)
    body = [f"{n}. {text}" for n, text in enumerate(items, start=1)]
    return "\n".join([f"【{dispute.title}·{title}】", *body])


@cache
def load_disputes() -> DisputeBook:
    """The package's dispute paths (read and validated once)."""
    return build_book(load_data(DATA_FILE), f"knowledge/data/{DATA_FILE}")


def disputes_from_text(text: str, origin: str = "<text>") -> DisputeBook:
    """Validate dispute paths given as YAML text (for tests and editing tools)."""
    return build_book(parse_yaml(text, origin), origin)


def build_book(raw: Any, origin: str, schedule: FeeSchedule | None = None) -> DisputeBook:
    if not isinstance(raw, dict):
        raise KnowledgeDataError(f"{origin}: 顶层应为映射，含 disclaimer、defendant 和 disputes")
    unknown = set(raw) - {"disclaimer", "defendant", "disputes"}
    if unknown:
        raise KnowledgeDataError(f"{origin}: 未知的顶层字段 {sorted(unknown)}")
    disclaimer = raw.get("disclaimer")
    text = disclaimer.get("text") if isinstance(disclaimer, dict) else disclaimer
    disclaimer_text = _text(text, f"{origin}: disclaimer")
    if "法律意见" not in disclaimer_text:
        raise KnowledgeDataError(f"{origin}: disclaimer: 免责声明应说明“不提供法律意见”")
    defendant = _fact(raw.get("defendant"), f"{origin}: defendant")
    entries = raw.get("disputes")
    if not isinstance(entries, dict) or not entries:
        raise KnowledgeDataError(f"{origin}: disputes 应为非空映射")
    schedule = schedule or load_fee_schedule()
    disputes: dict[str, Dispute] = {}
    for key, entry in entries.items():
        if not isinstance(key, str) or not _KEY.match(key):
            raise KnowledgeDataError(f"{origin}: 纠纷类型的键应为小写英文: {key!r}")
        disputes[key] = _dispute(key, entry, schedule, f"{origin}: {key}")
    for dispute in disputes.values():
        if dispute.parent is not None and dispute.parent not in disputes:
            raise KnowledgeDataError(f"{origin}: {dispute.key}.parent: 没有 {dispute.parent!r}")
        for amount in (None, Decimal(9_999_999)):  # a long figure must still fit
            shown = summary(dispute, amount, defendant=defendant, schedule=schedule)
            if len(shown) > SUMMARY_LIMIT:
                raise KnowledgeDataError(
                    f"{origin}: {dispute.key}: 第一条回复{len(shown)}字，超过{SUMMARY_LIMIT}字上限"
                )
    return DisputeBook(MappingProxyType(disputes), disclaimer_text, defendant)


def _dispute(key: str, entry: Any, schedule: FeeSchedule, where: str) -> Dispute:
    if not isinstance(entry, dict):
        raise KnowledgeDataError(f"{where}: 应为映射")
    unknown = set(entry) - _ENTRY_FIELDS
    if unknown:
        raise KnowledgeDataError(f"{where}: 未知字段 {sorted(unknown)}")
    missing = [
        name
        for name in ("title", "words", "first", "court", "limitation", "fee")
        if name not in entry
    ]
    if missing:
        raise KnowledgeDataError(f"{where}: 缺少字段 {missing}")
    title = _text(entry["title"], f"{where}.title")
    parent = entry.get("parent")
    if parent is not None and (not isinstance(parent, str) or not _KEY.match(parent)):
        raise KnowledgeDataError(f"{where}.parent: 应为另一纠纷类型的键")
    categories = _words(entry.get("case_categories", []), f"{where}.case_categories", empty=True)
    words = _words(entry["words"], f"{where}.words", empty=False)
    first = _fact(entry["first"], f"{where}.first")
    court = _ruled(entry["court"], COURT_RULES, f"{where}.court", many=True)
    limitation = _ruled(entry["limitation"], LIMITATION_RULES, f"{where}.limitation", many=False)
    fee = _fee(entry["fee"], schedule, f"{where}.fee")
    sections = _sections(entry.get("sections", {}), f"{where}.sections")
    numbers = template_numbers(entry.get("template_numbers", []), f"{where}.template_numbers")
    return Dispute(
        key, title, parent, categories, words, first, court, limitation, fee, sections, numbers
    )


def _ruled(value: Any, rules: dict[str, str], where: str, *, many: bool) -> Ruled:
    if not isinstance(value, dict):
        raise KnowledgeDataError(f"{where}: 应为映射，含 rule、text、source、tag")
    raw = value.get("rule")
    names = raw if isinstance(raw, list) and many else [raw]
    if not names:
        raise KnowledgeDataError(f"{where}.rule: 至少要有一条规则")
    for name in names:
        if name not in rules:
            raise KnowledgeDataError(f"{where}.rule: 未知规则 {name!r}（可用: {', '.join(rules)}）")
    fact = _fact({k: v for k, v in value.items() if k != "rule"}, where)
    return Ruled(tuple(str(name) for name in names), fact)


def _fee(value: Any, schedule: FeeSchedule, where: str) -> FeeRow:
    if not isinstance(value, dict) or "kind" not in value:
        raise KnowledgeDataError(f"{where}: 应为映射，含 kind（可为 null）、text、source、tag")
    kind = value.get("kind")
    fact = _fact({k: v for k, v in value.items() if k != "kind"}, where)
    slots = fact.text.count(_FEE_SLOT)
    if kind is None:
        if slots:
            raise KnowledgeDataError(
                f"{where}.text: 没有费用种类（kind: null）就不能写 {_FEE_SLOT}"
            )
        return FeeRow(None, fact)
    if kind not in schedule.kinds:
        raise KnowledgeDataError(
            f"{where}.kind: 未知费用种类 {kind!r}（可用: {', '.join(schedule.kinds)}）"
        )
    if slots != 1:
        raise KnowledgeDataError(f"{where}.text: 应恰好含一处 {_FEE_SLOT}（计算器算出的金额）")
    return FeeRow(str(kind), fact)


def _sections(value: Any, where: str) -> tuple[Section, ...]:
    return parse_sections(value, where, _fact)


def _fact(value: Any, where: str) -> Fact:
    if not isinstance(value, dict):
        raise KnowledgeDataError(f"{where}: 应为映射，含 text、source、tag")
    unknown = set(value) - _FACT_FIELDS
    if unknown:
        raise KnowledgeDataError(f"{where}: 未知字段 {sorted(unknown)}")
    text = _text(value.get("text"), f"{where}.text")
    source = _source(value.get("source"), f"{where}.source")
    tag: Tag = check_tag(value.get("tag"), f"{where}.tag")
    if tag == "U" and not _UNVERIFIED.search(text):
        raise KnowledgeDataError(
            f"{where}.text: 未核实（U）的内容必须写明“以法院公告为准”或请向法院确认"
        )
    return Fact(text, source, tag)


def _source(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeDataError(f"{where}: 缺少 source（事实来源）")
    for part in value.split(";"):
        if not part.strip().startswith(SOURCE_PREFIXES):
            known = "、".join(SOURCE_PREFIXES)
            raise KnowledgeDataError(
                f"{where}: 来源 {part.strip()!r} 应以 {known} 开头（disputes.md §9）"
            )
    return value.strip()


def _text(value: Any, where: str) -> str:
    text = checked_text(value, where, HOTLINES)
    for phrase in FORBIDDEN:
        if phrase in text:
            raise KnowledgeDataError(f"{where}: 不得出现“{phrase}”（不说已过时效，不预测结果）")
    return text


def _words(value: Any, where: str, *, empty: bool) -> tuple[str, ...]:
    if not isinstance(value, list) or (not value and not empty):
        raise KnowledgeDataError(f"{where}: 应为{'' if empty else '非空的'}词语列表")
    for word in value:
        if not isinstance(word, str) or not word.strip():
            raise KnowledgeDataError(f"{where}: 词语应为非空文字: {word!r}")
    if len(set(value)) != len(value):
        raise KnowledgeDataError(f"{where}: 有重复的词语")
    return tuple(word.strip() for word in value)
