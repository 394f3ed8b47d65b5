"""A real "yes" or "no", told apart from a longer message the NLU called affirm or deny.

The classifier calls "那过了多久就告不了了" a deny and "那个东西怎么弄啊" an affirm: short
colloquial questions look like chit-chat to it. Only the words below, alone, are
read as an answer to a yes/no question ("刚才的期限还要算吗？"); anything else that
the NLU called affirm or deny is treated as a question the assistant did not catch.
"""

from __future__ import annotations

import re
import unicodedata

from nlu.normalize import normalize

_NOISE = re.compile(r"[\s\W_]+")
_PARTICLES = "的吧啊呀呢哦嗯啦了嘛哈哎唉噢喔"
_LEAD = ("那就", "那", "嗯", "哦", "噢")
#: Thanks around a yes or no say nothing more: "好的谢谢", "不用了谢谢你".
_THANKS = re.compile(r"(谢谢你?|谢谢您|多谢|谢了|感谢)+$")
YES = frozenset(
    [
        "好",
        "好好",
        "好的",
        "行",
        "行行",
        "可以",
        "能",
        "嗯",
        "对",
        "对对",
        "对的",
        "是",
        "是是",
        "是的",
        "没错",
        "要",
        "要要",
        "需要",
        "要的",
        "继续",
        "接着",
        "接着来",
        "继续吧",
        "继续算",
        "继续查",
        "接着算",
        "接着查",
        "算",
        "查",
        "算吧",
        "查吧",
        "算一下",
        "查一下",
        "ok",
        "okay",
        "yes",
        "中",
        "成",
        "没问题",
        "当然",
        "好啊",
        "好呀",
        "可以的",
        "麻烦了",
        "麻烦你",
        "麻烦您",
        "那好",
        "谢谢",
        "知道",
        "知道了",
        "明白",
        "明白了",
        "懂",
        "懂了",
        "收到",
        "了解",
        "清楚",
        "清楚了",
        "晓得",
        "晓得了",
        "好滴",
        "嗯呐",
        "对头",
        "是这样",
        "就是",
        "就这个",
        "好嘞",
        "好咧",
        "好哒",
        "得嘞",
        "妥了",
        "妥",
    ]
)
NO = frozenset(
    [
        "不",
        "不要",
        "不用",
        "不需要",
        "不必",
        "不算",
        "不查",
        "不找",
        "不要了",
        "不用了",
        "不需要了",
        "不算了",
        "不查了",
        "不找了",
        "没有",
        "没",
        "没了",
        "不是",
        "不了",
        "算了",
        "没事",
        "没事了",
        "先不",
        "先不用",
        "先不了",
        "暂时不用",
        "no",
        "拉倒",
        "罢了",
        "不继续",
        "不想",
    ]
)


def _forms(text: str) -> tuple[str, ...]:
    """The message bare, then without particles: "算了" is looked up before it is "算"."""
    folded = unicodedata.normalize("NFKC", normalize(text).text).lower()
    bare = _NOISE.sub("", folded)
    for lead in _LEAD:
        if bare.startswith(lead) and len(bare) > len(lead):
            bare = bare[len(lead) :]
            break
    bare = _THANKS.sub("", bare) or bare
    stripped = _once(bare).strip(_PARTICLES) or bare[:1]
    return (_once(bare), _once(stripped))


def _once(word: str) -> str:
    """ "对对对" → "对", "可以可以" → "可以": a repeated yes is one yes."""
    for size in range(1, len(word) // 2 + 1):
        if len(word) % size == 0 and word == word[:size] * (len(word) // size):
            return word[:size]
    return word


def is_no(text: str) -> bool:
    return any(form in NO for form in _forms(text))


#: Words between the parts of a longer yes: "好的 那我知道了", "对 就是这个".
_FILLERS = frozenset({"那", "我", "就", "这个", "也"})


def _made_of(word: str, words: frozenset[str]) -> bool:
    """The word is a run of known words, particles and fillers: "中知道了" = 中 + 知道了
    (at least one known word: fillers alone are no answer)."""
    return bool(word) and _runs(word, words) and any(w in word for w in words)


def _runs(word: str, words: frozenset[str]) -> bool:
    if not word:
        return True
    for size in range(min(len(word), 4), 0, -1):
        head = word[:size]
        known = head in words or head in _PARTICLES or head in _FILLERS
        if known and _runs(word[size:], words):
            return True
    return False


def is_yes(text: str) -> bool:
    if is_no(text):
        return False
    forms = _forms(text)
    return any(form in YES for form in forms) or _made_of(forms[0], YES)


def is_yes_or_no(text: str) -> bool:
    return is_yes(text) or is_no(text)
