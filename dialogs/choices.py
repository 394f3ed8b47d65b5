"""Typed answers to the buttons the assistant just offered.

Litigants often type (or say, by voice) what a button says instead of pressing
it: its title ("民事判决"), part of it ("民事的", "离婚"), or its place in the
list ("1", "第二个", "最后一个"). :func:`match` finds which offered button such a
text means; the engine then treats the message as that button's payload.

Matching is pure and knows no flow: it compares the text with the titles only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from dialogs.payload import parse_payload
from nlu.normalize import normalize

#: Characters that carry no choice: punctuation, spaces and the particles of speech.
_NOISE = re.compile(r"[\s\W_]+")
_PARTICLES = "的吧啊呀呢哦嗯啦了吗嘛哈"
#: Words around an answer that say nothing about which one ("我选第一个", "就是离婚").
_FILLERS = (
    "回复",
    "我要选",
    "我选",
    "选择",
    "就选",
    "我要",
    "就是",
    "我是",
    "应该是",
    "是",
    "选",
    "要",
)
_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
#: "号" is left out on purpose: "5号" is a day of the month far more often than a place.
_ORDINAL = re.compile(r"^第?(?P<n>\d{1,2}|[一二两三四五六七八九十]{1,3})(?:个|项|种|条|类)?$")
_LAST = re.compile(r"^最后(?:一个|一项|一种|那个|这个|一)?$")
#: Bigrams too common in speech to tell two titles apart.
_WEAK = set("的了是个那这我要和等")


@dataclass(frozen=True)
class Choice:
    """One offered button, as the dialog state keeps it."""

    title: str
    payload: str


@dataclass(frozen=True)
class Match:
    """The button the text means, or the few it could mean (none: it names no button)."""

    chosen: Choice | None = None
    candidates: tuple[Choice, ...] = ()


def clean(text: str) -> str:
    """Simplified, half-width, lower-case text without punctuation, spaces or particles."""
    folded = unicodedata.normalize("NFKC", normalize(text).text)
    bare = _NOISE.sub("", folded).strip(_PARTICLES)
    for filler in _FILLERS:
        if bare.startswith(filler) and len(bare) > len(filler):
            bare = bare[len(filler) :]
            break
    return bare.strip(_PARTICLES)


def ordinal(text: str, count: int) -> int | None:
    """The 0-based place "1", "第二个", "三", "最后一个" names among ``count`` buttons."""
    bare = clean(text)
    if _LAST.match(bare):
        return count - 1 if count else None
    found = _ORDINAL.match(bare)
    if found is None:
        return None
    number = _chinese_number(found["n"])
    return number - 1 if number is not None and 1 <= number <= count else None


def _chinese_number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    if word == "十":
        return 10
    if "十" in word:
        tens, _, units = word.partition("十")
        high = _DIGITS.get(tens, 0) if tens else 1
        low = _DIGITS.get(units, 0) if units else 0
        return high * 10 + low if (not tens or tens in _DIGITS) else None
    return _DIGITS.get(word) if len(word) == 1 else None


def match(text: str, offered: list[Choice], *, fuzzy: bool, places: bool = True) -> Match:
    """Which of ``offered`` the text names.

    Always: the exact title (punctuation, width and script aside) or the place in
    the list. With ``fuzzy`` (inside a form that asked the question): also a title
    contained in the text, the text contained in titles, or the title sharing the
    most word pieces with it. More than one equally good title → ``candidates``.
    Without ``places`` a number is not read as a place ("5号" that is a date).
    """
    if not offered:
        return Match()
    bare = clean(text)
    if not bare:
        return Match()
    titles = [clean(choice.title) for choice in offered]
    exact = [c for c, t in zip(offered, titles, strict=True) if t == bare]
    if len(exact) == 1:
        return Match(exact[0])
    place = ordinal(text, len(offered)) if places else None
    if place is not None:
        return Match(offered[place])
    if not fuzzy:
        return Match()
    inside = [c for c, t in zip(offered, titles, strict=True) if t and t in bare]
    if inside:
        longest = max(len(clean(c.title)) for c in inside)
        inside = [c for c in inside if len(clean(c.title)) == longest]
        return _one_or_many(inside)
    around = [c for c, t in zip(offered, titles, strict=True) if bare in t]
    if around:
        return _one_or_many(around)
    return _by_pieces(bare, offered, titles)


def _by_pieces(bare: str, offered: list[Choice], titles: list[str]) -> Match:
    """The titles sharing most two-character pieces with the text ("刑事的那个裁定")."""
    pieces = _bigrams(bare)
    scores = [len(pieces & _bigrams(title)) for title in titles]
    best = max(scores, default=0)
    if best == 0:
        return Match()
    return _one_or_many([c for c, s in zip(offered, scores, strict=True) if s == best])


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1) if not set(text[i : i + 2]) & _WEAK}


def _one_or_many(found: list[Choice]) -> Match:
    return Match(found[0]) if len(found) == 1 else Match(candidates=tuple(found))


def pressed(parse: dict[str, Any], choice: Choice, known: frozenset[str]) -> dict[str, Any]:
    """The parse of a press of ``choice``, keeping the typed text and its other entities.

    "民事判决 11月20号收到" picks the button and still gives the form its date.
    A payload that is no known intent leaves the parse as it was.
    """
    button = parse_payload(choice.payload, known)
    if button is None:
        return parse
    names = {e["entity"] for e in button["entities"]}
    kept = [e for e in parse.get("entities", []) if e.get("entity") not in names]
    return {**button, "text": parse.get("text", ""), "entities": button["entities"] + kept}
