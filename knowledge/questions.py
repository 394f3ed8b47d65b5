"""The question bank: the long tail of litigants' questions, each with one short answer.

The 35 intents answer the window's services; the bank answers the questions behind
them ("小额诉讼判了能上诉吗", "身份证过期了在哪换"). Every entry is data
(knowledge/data/questions.yaml) with a source key of shared/domain/facts.md §8 or
disputes.md §9 and a tag, and a court adds or replaces entries in
``config/questions.yaml`` (same fields; an entry with the id of a packaged one
replaces it, ``disabled`` lists ids to drop). Both files are checked when loaded:
a known source, a valid tag, an answer of at most 300 characters, no duplicate id,
"以法院公告为准" on every unverified answer, no phone number beyond the hotlines
the facts name, no web address. Errors name the file and the entry.

Ranking lives in nlu.qbank (it needs the tokenizer); this module only holds facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from knowledge.intents import INTENTS
from knowledge.loader import (
    UNVERIFIED_NOTE,
    KnowledgeDataError,
    Tag,
    check_tag,
    load_config,
    load_data,
)

DATA_FILE = "questions.yaml"
CONFIG_FILE = "questions.yaml"

#: Longest answer, in characters: one phone screen (as procedure summaries).
ANSWER_LIMIT = 300
#: Paraphrases per entry: enough to be found, few enough to stay distinct.
MIN_PARAPHRASES, MAX_PARAPHRASES = 2, 5
#: Phone numbers an answer may name: the hotlines of facts.md §5.10 and disputes.md §5.
#: (110 and 122 are shorter than a phone number and need no listing.)
HOTLINES: frozenset[str] = frozenset({"12368", "12348", "12333", "12315"})

#: Source keys of shared/domain/facts.md §8 and disputes.md §9 (plus the seed report).
SOURCE_KEYS: frozenset[str] = frozenset(
    {
        # statutes and interpretations (LawRefBook mirror)
        "LRB-CPL",
        "LRB-CPL23",
        "LRB-CPL21",
        "LRB-CPLI",
        "LRB-LDAL",
        "LRB-LDI1",
        "LRB-LCL",
        "LRB-WII",
        "LRB-MIG",
        "LRB-CC",
        "LRB-FEE",
        "LRB-LOAN",
        "LRB-PROP",
        "LRB-CONST",
        "LRB-TRAF",
        "LRB-RTSL",
        "LRB-RTAP",
        "LRB-MED",
        "LRB-CONS",
        "LRB-ALL",
        "LRB-ALLI",
        "LRB-ARL",
        "LRB-CrPL",
        "LRB-CrPLI",
        "LRB-ID",
        "LRB-HUKOU",
        "LRB-NOT",
        "LRB-PET",
        "LRB-REG",
        "LRB-PRES",
        "LRB-EXE",
        "LRB-ODR",
        "LRB-OLL",
        "LRB-SPM",
        "LRB-POST",
        "LRB-LA",
        "LRB-HOL",
        "LRB-PMED",  # 人民调解法 (disputes.md §9, listed without a key)
        # secondary pages
        "P-ZXS",
        "P-LEVEL",
        "P-ZJSC",
        "P-COOL",
        "P-COOL2",
        "P-MARR1",
        "P-MARR2",
        "P-WY1",
        "P-WY2",
        "P-CPWS",
        "P-QRY",
        "P-SXZM1",
        "P-SXZM2",
        "P-CHESU",
        "P-ID",
        "P-12333",
        "P-12315",
        "P-122",
        "P-12368",
        "P-12348",
        "P-ORD",
        "P-HLJ",
        "P-NB",
        "P-KY1",
        "P-KY2",
        "P-NMG",
        "P-NMG2",
        "P-MYZBX",
        "P-CHUJU",
        "P-CN1",
        "P-CN2",
        "P-DL",
        "P-JY",
        "P-GUAR",
        "P-JINAN",
        "P-CAW",
        "P-GDZF",
        "P-055110",
        "P-ACLA",
        "P-WX",
        "P-JX",
        "P-ZGFLLT",
        "P-LIC",
        "P-HUAIAN",
        "P-CN3",
        "P-CN4",
        "P-CN5",
        "P-CN6",
        "P-KBS",
        "P-KY3",
        "P-ZTZY",
        "P-ZS",
        "seed",
    }
)
#: A source is "KEY", "KEY art.N…", or a section of the domain files ("disputes §2.1").
_SECTION_REF = re.compile(r"^(facts|disputes) §\d+(\.\d+)?([‑-][A-Z])?$")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_DIGIT_RUN = re.compile(r"\d{3,}")
_ENTRY_FIELDS = frozenset(
    {"id", "question", "paraphrases", "answer", "source", "tag", "intent", "buttons", "specific"}
)
_CONFIG_FIELDS = frozenset({"questions", "disabled"})


@dataclass(frozen=True)
class Question:
    """One question a litigant asks, the words they ask it in, and its short answer."""

    id: str
    question: str
    paraphrases: tuple[str, ...]
    answer: str
    sources: tuple[str, ...]
    tag: Tag
    #: The intent whose topic this question belongs to (buttons, follow-ups), if any.
    intent: str | None
    #: Intents offered as buttons after the answer.
    buttons: tuple[str, ...]
    #: Narrower than its intent's generic answer: answered even when the NLU is sure
    #: ("小额诉讼判了能上诉吗" must not get the appeal answer "可以上诉").
    specific: bool
    #: Where it was read from: the package file or the court's configuration.
    origin: str

    @property
    def texts(self) -> tuple[str, ...]:
        """The question and its paraphrases: what retrieval ranks."""
        return (self.question, *self.paraphrases)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "paraphrases": list(self.paraphrases),
            "answer": self.answer,
            "source": list(self.sources),
            "tag": self.tag,
            "intent": self.intent,
            "buttons": list(self.buttons),
            "specific": self.specific,
            "origin": self.origin,
        }


@dataclass(frozen=True)
class QuestionBank:
    questions: Mapping[str, Question]

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions.values())

    def __contains__(self, key: object) -> bool:
        return key in self.questions

    def get(self, key: str) -> Question:
        try:
            return self.questions[key]
        except KeyError:
            raise KeyError(f"问题库没有这一条: {key}") from None


@cache
def _package_entries() -> tuple[Question, ...]:
    origin = f"knowledge/data/{DATA_FILE}"
    return tuple(parse_entries(_entry_list(load_data(DATA_FILE), origin), origin))


def load_questions(config_dir: Path | None = None) -> QuestionBank:
    """The packaged entries, then the court's additions and replacements."""
    merged: dict[str, Question] = {q.id: q for q in _package_entries()}
    config = load_config(config_dir, CONFIG_FILE)
    if config:
        origin = str(Path(config_dir or ".") / CONFIG_FILE)
        unknown = set(config) - _CONFIG_FIELDS
        if unknown:
            raise KnowledgeDataError(f"{origin}: 未知的顶层字段 {sorted(unknown)} / unknown keys")
        disabled = config.get("disabled", []) or []
        if not isinstance(disabled, list):
            raise KnowledgeDataError(f"{origin}: disabled 应为 id 列表 / must be a list of ids")
        for key in disabled:
            if key not in merged:
                raise KnowledgeDataError(
                    f"{origin}: disabled 中的 {key!r} 不是已有的问题 id / unknown id"
                )
            del merged[key]
        for entry in parse_entries(config.get("questions", []) or [], origin):
            merged[entry.id] = entry  # the court's wording replaces the packaged one
    return QuestionBank(MappingProxyType(merged))


def _entry_list(raw: Any, origin: str) -> Any:
    if not isinstance(raw, dict) or set(raw) != {"questions"}:
        raise KnowledgeDataError(f"{origin}: 顶层应只有 questions 列表 / expected 'questions'")
    return raw["questions"]


def parse_entries(raw: Any, origin: str) -> list[Question]:
    """Validate a list of entries; the first bad one stops loading, named in the error."""
    if not isinstance(raw, list):
        raise KnowledgeDataError(f"{origin}: questions 应为列表 / must be a list")
    seen: set[str] = set()
    entries = []
    for index, item in enumerate(raw):
        entry = _entry(item, f"{origin}: questions[{index}]", origin)
        if entry.id in seen:
            raise KnowledgeDataError(
                f"{origin}: 问题 id 重复 / duplicate id: {entry.id} (questions[{index}])"
            )
        seen.add(entry.id)
        entries.append(entry)
    return entries


def _entry(item: Any, where: str, origin: str) -> Question:
    if not isinstance(item, dict):
        raise KnowledgeDataError(f"{where}: 应为映射 / must be a mapping")
    key = item.get("id")
    if not isinstance(key, str) or not _ID.match(key):
        raise KnowledgeDataError(f"{where}: id 应为小写英文、数字和下划线 / bad id {key!r}")
    where = f"{origin}: {key}"
    unknown = set(item) - _ENTRY_FIELDS
    if unknown:
        raise KnowledgeDataError(f"{where}: 未知字段 / unknown fields {sorted(unknown)}")
    question = _text(item.get("question"), f"{where}.question")
    paraphrases = item.get("paraphrases")
    if not isinstance(paraphrases, list) or not (
        MIN_PARAPHRASES <= len(paraphrases) <= MAX_PARAPHRASES
    ):
        raise KnowledgeDataError(
            f"{where}.paraphrases: 应有{MIN_PARAPHRASES}–{MAX_PARAPHRASES}种说法 / "
            f"needs {MIN_PARAPHRASES}-{MAX_PARAPHRASES} paraphrases"
        )
    said = tuple(_text(p, f"{where}.paraphrases[{i}]") for i, p in enumerate(paraphrases))
    answer = _text(item.get("answer"), f"{where}.answer")
    if len(answer) > ANSWER_LIMIT:
        raise KnowledgeDataError(
            f"{where}.answer: 回答{len(answer)}字，超过{ANSWER_LIMIT}字上限 / "
            f"answer is {len(answer)} characters, limit {ANSWER_LIMIT}"
        )
    _check_numbers(answer, f"{where}.answer")
    sources = _sources(item.get("source"), f"{where}.source")
    tag = check_tag(item.get("tag"), f"{where}.tag")
    if tag == "U" and UNVERIFIED_NOTE not in answer:
        raise KnowledgeDataError(
            f"{where}.answer: 未核实（U）的回答必须写明“{UNVERIFIED_NOTE}” / "
            f"an unverified (U) answer must say {UNVERIFIED_NOTE}"
        )
    intent = item.get("intent")
    if intent is not None and intent not in INTENTS:
        raise KnowledgeDataError(f"{where}.intent: {intent!r} 不是已定义的意图 / unknown intent")
    buttons = item.get("buttons", []) or []
    if not isinstance(buttons, list) or any(b not in INTENTS for b in buttons):
        raise KnowledgeDataError(
            f"{where}.buttons: 应为已定义的意图名列表 / must list known intents: {buttons!r}"
        )
    specific = item.get("specific", False)
    if not isinstance(specific, bool):
        raise KnowledgeDataError(f"{where}.specific: 应为 true 或 false / must be a boolean")
    return Question(
        key, question, said, answer, sources, tag, intent, tuple(buttons), specific, origin
    )


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeDataError(f"{where}: 缺少文字 / text missing")
    text = value.strip()
    lowered = text.lower()
    if "http" in lowered or "www." in lowered:
        raise KnowledgeDataError(f"{where}: 不得包含网址 / no web addresses")
    return text


def _check_numbers(text: str, where: str) -> None:
    """Only the hotlines named by the facts; never an invented phone number."""
    for run in _DIGIT_RUN.findall(text):
        if len(run) >= 5 and run not in HOTLINES:
            raise KnowledgeDataError(
                f"{where}: 疑似电话号码 {run} / looks like a phone number "
                f"(允许 / allowed: {', '.join(sorted(HOTLINES))})"
            )


def _sources(value: Any, where: str) -> tuple[str, ...]:
    items = value.split(";") if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise KnowledgeDataError(f"{where}: 缺少来源 / source missing")
    out = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise KnowledgeDataError(f"{where}: 来源应为非空文字 / empty source")
        source = item.strip()
        if not (_SECTION_REF.match(source) or source.split(" ", 1)[0] in SOURCE_KEYS):
            raise KnowledgeDataError(
                f"{where}: 未知的来源 / unknown source key {source!r}"
                "（用 facts.md §8 / disputes.md §9 的来源键，或 “disputes §2.1”）"
            )
        out.append(source)
    return tuple(out)


def source_note(question: Question) -> str:
    """The line under an answer that says how sure it is, in the tag's own words."""
    if question.tag == "V":
        return "（依据法律、司法解释的规定整理）"
    if question.tag == "S":
        return "（依据公开资料整理，具体以受理法院的要求为准）"
    if question.tag == "I":
        return "（根据相关规定推知，具体以受理法院的要求为准）"
    return ""  # U: the answer itself says 以法院公告为准
