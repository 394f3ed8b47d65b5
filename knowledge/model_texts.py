"""The 67 model complaint/defence texts (诉答示范文本) and a matcher from everyday words.

Why a matcher here: litigants rarely know the official case-category name; they
type "朋友借我5万不还" or "被车撞了". The catalogue turns such words into the
right text with a deterministic, explainable score (exact name > words from the
name > everyday keywords > field words > shared two-character words), no ML.

Facts (names, order, fields, ★) come from knowledge/data/model_texts.yaml; links
come from the court's config/model_texts.yaml or default to this service's own
page ``{base_url}/templates/{N}`` — a web address is never invented.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from knowledge.loader import KnowledgeDataError, Tag, check_tag, load_config, load_data

_FILE = "model_texts.yaml"  # the same name in knowledge/data/ and in the config directory
_DATA = f"knowledge/data/{_FILE}"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
GROUP_KEYS: tuple[str, ...] = tuple("ABCDEFGHI")

#: "A…B": A followed by B with 1 to this many characters between them.
_GAP = "…"
_MAX_GAP = 10
#: Longest query looked at; a chat message longer than this is cut.
_MAX_QUERY = 500
#: A candidate scoring below this share of the best one is dropped.
_CUTOFF = 0.3
#: Endings that name the case category's form rather than the category.
_NAME_SUFFIXES = ("行政纠纷", "纠纷", "申请书", "案")
#: Words people add after a name when they ask for the form itself.
_DOC_SUFFIXES = (
    "示范文本", "文书模板", "模板", "范本", "样本", "格式",
    "民事起诉状", "民事答辩状", "行政起诉状", "行政答辩状", "起诉状", "答辩状", "自诉状", "起诉书",
)  # fmt: skip
#: Two-character words too common in names to mean anything on their own.
_STOP_BIGRAMS = frozenset(
    {"纠纷", "合同", "申请", "请书", "责任", "行政", "民事", "诉讼", "损害", "侵害",
     "财产", "损失", "决定", "认定", "确认", "或者", "资格"}
)  # fmt: skip
_NON_WORD = re.compile(r"[\W_]+")
_PARENTHESES = re.compile(r"[（(][^）)]*[）)]")

Basis = Literal["exact", "name", "keyword", "group", "partial"]
#: Bases from the strongest to the weakest evidence.
_BASES: tuple[Basis, ...] = ("exact", "name", "keyword", "group", "partial")


def normalize(text: str) -> str:
    """Full-width to half-width, lower case, punctuation and spaces removed."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


def _core(name: str) -> str:
    """A name without brackets and ending (纠纷/案/申请书): 民间借贷纠纷 → 民间借贷."""
    text = _PARENTHESES.sub("", name).strip()
    for suffix in _NAME_SUFFIXES:
        if text.endswith(suffix) and len(text) - len(suffix) >= 2:
            return text[: -len(suffix)]
    return text


@dataclass(frozen=True)
class SourcedText:
    """A sentence shown to users, with where it comes from."""

    text: str
    source: str
    tag: Tag

    def as_dict(self) -> dict[str, str]:
        return {"text": self.text, "source": self.source, "tag": self.tag}


@dataclass(frozen=True)
class CatalogueFact(SourcedText):
    """A general fact about the model texts (issuers, roll-out, where to get them)."""

    key: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"key": self.key, **super().as_dict()}


@dataclass(frozen=True)
class ModelTextGroup:
    """One of the nine fields (A–I) and the document kinds its texts come as."""

    key: str
    name: str
    size: int
    documents: tuple[str, ...]
    words: tuple[str, ...]
    source: str
    tag: Tag


@dataclass(frozen=True)
class ModelText:
    number: int
    name: str
    group: str
    group_name: str
    documents: tuple[str, ...]
    first_batch: bool
    former_names: tuple[str, ...]
    keywords: tuple[str, ...]
    url: str
    source: str
    tag: Tag
    description: SourcedText | None = None
    #: True when the court configured this link itself (else our own page).
    url_configured: bool = False

    @property
    def title(self) -> str:
        """ "2. 民间借贷纠纷★" — how a list shows the text."""
        return f"{self.number}. {self.name}{'★' if self.first_batch else ''}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "group": self.group,
            "group_name": self.group_name,
            "documents": list(self.documents),
            "first_batch": self.first_batch,
            "former_names": list(self.former_names),
            "keywords": list(self.keywords),
            "description": self.description.as_dict() if self.description else None,
            "url": self.url,
            "url_configured": self.url_configured,
            "source": self.source,
            "tag": self.tag,
        }


@dataclass(frozen=True)
class ModelTextMatch:
    """A text picked for a query, with the score and the words that earned it."""

    text: ModelText
    score: int
    matched_words: tuple[str, ...]
    basis: Basis

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.text.number,
            "name": self.text.name,
            "score": self.score,
            "basis": self.basis,
            "matched_words": list(self.matched_words),
            "url": self.text.url,
        }


@dataclass(frozen=True)
class _Hit:
    """One word found in the query: its span, its owner and what kind of word it is."""

    start: int
    end: int
    owner: int  # text number; 0 for a field word
    basis: Basis
    word: str
    weight: int
    group: str = ""
    #: For a gapped keyword ("借…不还"), the spans of its two literal parts.
    parts: tuple[tuple[int, int], ...] = ()

    def inside(self, other: _Hit) -> bool:
        """Whether ``other`` is a longer word that swallows this one.

        A gapped word swallows only what overlaps its literal parts, not whatever
        happens to stand in the gap.
        """
        longer = other.end - other.start > self.end - self.start
        if not (longer and other.start <= self.start and self.end <= other.end):
            return False
        return not other.parts or any(
            self.start < end and start < self.end for start, end in other.parts
        )


@dataclass(frozen=True)
class _Keyword:
    display: str
    parts: tuple[str, ...]
    pattern: re.Pattern[str] | None

    @property
    def weight(self) -> int:
        """Longer words are more specific; a gapped word counts a little less."""
        size = sum(len(p) for p in self.parts)
        return (5 if self.pattern else 10) + size

    def find(self, query: str, owner: int) -> _Hit | None:
        if self.pattern is None:
            at = query.find(self.parts[0])
            if at < 0:
                return None
            return _Hit(at, at + len(self.parts[0]), owner, "keyword", self.display, self.weight)
        found = self.pattern.search(query)
        if found is None:
            return None
        start, end = found.span()
        first, last = len(self.parts[0]), len(self.parts[1])
        parts = ((start, start + first), (end - last, end))
        return _Hit(start, end, owner, "keyword", self.display, self.weight, parts=parts)


def _keyword(raw: str, origin: str) -> _Keyword:
    parts = tuple(normalize(p) for p in raw.split(_GAP))
    if len(parts) > 2 or not all(parts):
        raise KnowledgeDataError(f"{origin}: 关键词“{raw}”格式错误（“…”只能出现一次，两边要有字）")
    if len(parts) == 1:
        if len(parts[0]) < 2:
            raise KnowledgeDataError(f"{origin}: 关键词“{raw}”太短（至少两个字）")
        return _Keyword(raw, parts, None)
    # At least one character between: the joined form, if wanted, is listed as a word.
    gap = re.escape(parts[0]) + f".{{1,{_MAX_GAP}}}?" + re.escape(parts[1])
    return _Keyword(raw, parts, re.compile(gap))


@dataclass(frozen=True)
class ModelTextCatalogue:
    texts: tuple[ModelText, ...]
    groups: tuple[ModelTextGroup, ...]
    facts: tuple[CatalogueFact, ...]
    _by_number: dict[int, ModelText] = field(init=False, repr=False, compare=False)
    _aliases: dict[str, tuple[ModelText, ...]] = field(init=False, repr=False, compare=False)
    #: normalised name form → (how it is shown, whether it is a whole name)
    _forms: dict[str, tuple[str, bool]] = field(init=False, repr=False, compare=False)
    _keywords: dict[int, tuple[_Keyword, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        aliases: dict[str, list[ModelText]] = {}
        forms: dict[str, tuple[str, bool]] = {}
        for text in self.texts:
            for form, (display, full) in _alias_forms(text).items():
                owners = aliases.setdefault(form, [])
                if text not in owners:
                    owners.append(text)
                forms.setdefault(form, (display, full))
        keywords: dict[int, tuple[_Keyword, ...]] = {}
        seen: dict[str, ModelText] = {}
        for text in self.texts:
            origin = f"{_DATA} texts[{text.number - 1}] ({text.name})"
            parsed = tuple(_keyword(word, origin) for word in text.keywords)
            for word in parsed:
                key = _GAP.join(word.parts)
                other = seen.get(key)
                if other is not None:
                    raise KnowledgeDataError(
                        f"{origin}: 关键词“{word.display}”已属于第{other.number}号 {other.name}"
                    )
                owners = aliases.get(key, [])
                if owners and text not in owners:
                    raise KnowledgeDataError(
                        f"{origin}: 关键词“{word.display}”是第{owners[0].number}号的名称"
                    )
                seen[key] = text
            keywords[text.number] = parsed
        object.__setattr__(self, "_by_number", {t.number: t for t in self.texts})
        object.__setattr__(self, "_aliases", {k: tuple(v) for k, v in aliases.items()})
        object.__setattr__(self, "_forms", forms)
        object.__setattr__(self, "_keywords", keywords)

    def all(self) -> tuple[ModelText, ...]:
        return self.texts

    def by_number(self, number: int) -> ModelText | None:
        return self._by_number.get(number)

    def group(self, key: str) -> ModelTextGroup | None:
        return next((g for g in self.groups if g.key == key), None)

    def fact(self, key: str) -> CatalogueFact | None:
        return next((f for f in self.facts if f.key == key), None)

    def by_name(self, name: str) -> ModelText | None:
        """The text with this name, a former name or a light variant (没有“纠纷”、带“起诉状”).

        An ambiguous short form ("垄断纠纷": civil or administrative?) gives None.
        """
        found = self._exact(name)
        return found[0] if len(found) == 1 else None

    def _exact(self, query: str) -> tuple[ModelText, ...]:
        text = normalize(query)
        variants = [text]
        for suffix in _DOC_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                variants.append(text[: -len(suffix)])
                break
        variants += [_core(v) for v in variants]
        for variant in variants:
            if variant in self._aliases:
                return self._aliases[variant]
        return ()

    def categories(self) -> dict[str, ModelText]:
        """Every name, former name, unambiguous short name and literal keyword → its text.

        For entity extraction by literal lookup; gapped keywords ("借…不还") are
        left out because they are patterns, not words.
        """
        result: dict[str, ModelText] = {}
        for text in self.texts:
            for name in (text.name, *text.former_names):
                result[name] = text
                core = _core(name)
                if len(self._aliases.get(normalize(core), ())) == 1:
                    result.setdefault(core, text)
            for word in text.keywords:
                if _GAP not in word:
                    result[word] = text
        return result

    def match(self, query: str, limit: int = 3) -> list[ModelTextMatch]:
        """The texts a query points to, best first; [] when nothing sensible matches."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        exact = self._exact(query)
        if exact:
            words = (query.strip(),)
            return [ModelTextMatch(t, 1000, words, "exact") for t in exact][:limit]
        text = normalize(query)[:_MAX_QUERY]
        if not text:
            return []
        matches = self._score(self._hits(text)) or self._partial(text)
        if not matches:
            return []
        best = matches[0].score
        return [m for m in matches if m.score >= best * _CUTOFF][:limit]

    def _hits(self, query: str) -> list[_Hit]:
        hits: list[_Hit] = []
        for alias, owners in self._aliases.items():
            at = query.find(alias)
            if at < 0:
                continue
            display, full = self._forms[alias]
            # A whole name outweighs any everyday word; a short form ("强制执行")
            # is common speech and weighs like one.
            weight = (30 if full else 10) + len(alias)
            for owner in owners:
                hits.append(_Hit(at, at + len(alias), owner.number, "name", display, weight))
        for number, words in self._keywords.items():
            for word in words:
                hit = word.find(query, number)
                if hit is not None:
                    hits.append(hit)
        for group in self.groups:
            for raw in group.words:
                form = normalize(raw)
                at = query.find(form)
                if at >= 0:
                    hits.append(_Hit(at, at + len(form), 0, "group", raw, 5, group.key))
        # Longest match wins: a word inside a longer word of another text does not
        # count ("船被撞" is not "被撞"); within one text only the longest keyword counts.
        return [
            hit
            for hit in hits
            if not any(
                hit.inside(other)
                and (
                    other.owner != hit.owner
                    or hit.owner == 0
                    or (hit.basis == other.basis == "keyword" and not other.parts)
                )
                for other in hits
            )
        ]

    def _score(self, hits: list[_Hit]) -> list[ModelTextMatch]:
        results: list[ModelTextMatch] = []
        for text in self.texts:
            mine = [h for h in hits if h.owner == text.number]
            names = [h for h in mine if h.basis == "name"]
            if names:  # one name per text: the longest form found
                longest = max(names, key=lambda h: h.weight)
                mine = [longest] + [h for h in mine if h.basis != "name"]
            # The same stretch of text counts once (a short name that is also a keyword).
            spans: dict[tuple[int, int], _Hit] = {}
            for hit in sorted(mine, key=lambda h: -h.weight):
                spans.setdefault((hit.start, hit.end), hit)
            mine = list(spans.values())
            mine += [h for h in hits if h.owner == 0 and h.group == text.group]
            if not mine:
                continue
            score = sum(h.weight for h in mine)
            words = tuple(dict.fromkeys(h.word for h in mine))
            basis = min((h.basis for h in mine), key=_BASES.index)
            results.append(ModelTextMatch(text, score, words, basis))
        return sorted(results, key=lambda m: (-m.score, m.text.number))

    def _partial(self, query: str) -> list[ModelTextMatch]:
        grams = {query[i : i + 2] for i in range(len(query) - 1)} - _STOP_BIGRAMS
        results: list[ModelTextMatch] = []
        for text in self.texts:
            name = normalize(text.name)
            shared = sorted(g for g in grams if g in name)
            if shared:
                results.append(ModelTextMatch(text, 2 * len(shared), tuple(shared), "partial"))
        return sorted(results, key=lambda m: (-m.score, m.text.number))


def _alias_forms(text: ModelText) -> dict[str, tuple[str, bool]]:
    """Normalised name forms of a text → (display form, whether it is a whole name)."""
    forms: dict[str, tuple[str, bool]] = {}
    for name in (text.name, *text.former_names):
        forms[normalize(name)] = (name, True)
        core = _core(name)
        if len(normalize(core)) >= 2:
            forms.setdefault(normalize(core), (core, False))
    return forms


# --- loading ---------------------------------------------------------------


def _str(raw: dict[str, Any], key: str, origin: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeDataError(f"{origin}: 缺少 {key}")
    return value.strip()


def _strs(raw: dict[str, Any], key: str, origin: str, *, required: bool = False) -> tuple[str, ...]:
    value = raw.get(key)
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise KnowledgeDataError(f"{origin}: {key} 应为文字列表")
    if required and not value:
        raise KnowledgeDataError(f"{origin}: {key} 不能为空")
    return tuple(v.strip() for v in value)


def _sourced(raw: Any, origin: str) -> SourcedText:
    if not isinstance(raw, dict):
        raise KnowledgeDataError(f"{origin}: 应为映射 (text/source/tag)")
    return SourcedText(
        text=_str(raw, "text", origin),
        source=_str(raw, "source", origin),
        tag=check_tag(raw.get("tag"), origin),
    )


def _facts(raw: Any) -> tuple[CatalogueFact, ...]:
    if not isinstance(raw, list) or not raw:
        raise KnowledgeDataError(f"{_DATA}: 缺少 facts 列表")
    facts: list[CatalogueFact] = []
    for index, item in enumerate(raw):
        origin = f"{_DATA} facts[{index}]"
        base = _sourced(item, origin)
        key = _str(item, "key", origin)
        facts.append(CatalogueFact(base.text, base.source, base.tag, key=key))
    return tuple(facts)


def _groups(raw: Any) -> tuple[ModelTextGroup, ...]:
    if not isinstance(raw, dict) or sorted(map(str, raw)) != list(GROUP_KEYS):
        raise KnowledgeDataError(f"{_DATA}: groups 应恰好有 {'、'.join(GROUP_KEYS)} 九个领域")
    groups: list[ModelTextGroup] = []
    for key in GROUP_KEYS:
        item = raw[key]
        origin = f"{_DATA} groups.{key}"
        if not isinstance(item, dict):
            raise KnowledgeDataError(f"{origin}: 应为映射")
        size = item.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise KnowledgeDataError(f"{origin}: size 应为正整数")
        groups.append(
            ModelTextGroup(
                key=key,
                name=_str(item, "name", origin),
                size=size,
                documents=_strs(item, "documents", origin, required=True),
                words=_strs(item, "words", origin),
                source=_str(item, "source", origin),
                tag=check_tag(item.get("tag"), origin),
            )
        )
    return tuple(groups)


def _text(raw: Any, index: int, groups: dict[str, ModelTextGroup], url: str) -> ModelText:
    origin = f"{_DATA} texts[{index}]"
    if not isinstance(raw, dict):
        raise KnowledgeDataError(f"{origin}: 应为映射")
    name = _str(raw, "name", origin)
    origin = f"{origin} ({name})"
    if raw.get("number") != index + 1:
        raise KnowledgeDataError(f"{origin}: number 应为 {index + 1}（按官方附件顺序连续编号）")
    group = groups.get(str(raw.get("group")))
    if group is None:
        raise KnowledgeDataError(f"{origin}: group 应为 {'/'.join(GROUP_KEYS)} 之一")
    first_batch = raw.get("first_batch")
    if not isinstance(first_batch, bool):
        raise KnowledgeDataError(f"{origin}: first_batch 应为 true 或 false")
    description = raw.get("description")
    return ModelText(
        number=index + 1,
        name=name,
        group=group.key,
        group_name=group.name,
        documents=group.documents,
        first_batch=first_batch,
        former_names=_strs(raw, "former_names", origin),
        keywords=_strs(raw, "keywords", origin, required=True),
        url=url,
        source=_str(raw, "source", origin),
        tag=check_tag(raw.get("tag"), origin),
        description=None if description is None else _sourced(description, f"{origin}.description"),
    )


def _check_url(value: Any, origin: str) -> str:
    if not isinstance(value, str):
        raise KnowledgeDataError(f"{origin}: 应为 http:// 或 https:// 开头的网址")
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise KnowledgeDataError(f"{origin}: “{url}”不是 http:// 或 https:// 开头的完整网址")
    return url


def _links(config_dir: Path | None, base_url: str, count: int) -> tuple[str, dict[int, str]]:
    """The base URL and the per-number links the court configured."""
    raw = load_config(config_dir, _FILE)
    origin = f"{config_dir}/{_FILE}"
    unknown = sorted(set(map(str, raw)) - {"base_url", "urls"})
    if unknown:
        raise KnowledgeDataError(
            f"{origin}: 不认识的字段 {'、'.join(unknown)}，可用字段：base_url、urls"
        )
    if raw.get("base_url") is not None:
        base_url = _check_url(raw["base_url"], f"{origin} base_url")
    else:
        base_url = _check_url(base_url, "YICHUANG_PUBLIC_BASE_URL")
    urls = raw.get("urls") or {}
    if not isinstance(urls, dict):
        raise KnowledgeDataError(f"{origin} urls: 应为“编号: 网址”的映射")
    links: dict[int, str] = {}
    for key, value in urls.items():
        number = int(key) if isinstance(key, int | str) and str(key).isdigit() else 0
        if not 1 <= number <= count:
            raise KnowledgeDataError(f"{origin} urls.{key}: 编号应为 1–{count} 的整数")
        links[number] = _check_url(value, f"{origin} urls.{key}")
    return base_url.rstrip("/"), links


def model_texts_from(
    raw: Any, config_dir: Path | None = None, base_url: str = DEFAULT_BASE_URL
) -> ModelTextCatalogue:
    """Build the catalogue from parsed model_texts.yaml content plus the court's links."""
    if not isinstance(raw, dict):
        raise KnowledgeDataError(f"{_DATA}: 顶层应为映射")
    groups = _groups(raw.get("groups"))
    items = raw.get("texts")
    if not isinstance(items, list) or not items:
        raise KnowledgeDataError(f"{_DATA}: 缺少 texts 列表")
    base, links = _links(config_dir, base_url, len(items))
    by_key = {g.key: g for g in groups}
    texts: list[ModelText] = []
    for index, item in enumerate(items):
        number = index + 1
        url = links.get(number, f"{base}/templates/{number}")
        text = _text(item, index, by_key, url)
        texts.append(replace(text, url_configured=True) if number in links else text)
    names = [t.name for t in texts]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise KnowledgeDataError(f"{_DATA}: 名称重复 {'、'.join(duplicates)}")
    for group in groups:
        size = sum(1 for t in texts if t.group == group.key)
        if size != group.size:
            raise KnowledgeDataError(
                f"{_DATA} groups.{group.key} ({group.name}): 应有 {group.size} 类，实有 {size} 类"
            )
    return ModelTextCatalogue(texts=tuple(texts), groups=groups, facts=_facts(raw.get("facts")))


@cache
def load_model_texts(
    config_dir: Path | None = None, base_url: str = DEFAULT_BASE_URL
) -> ModelTextCatalogue:
    """The 67 model texts with links: the court's own where configured, else our pages."""
    return model_texts_from(load_data(_FILE), config_dir, base_url)
