"""Ranking the question bank (knowledge.questions) for one message.

Each entry is found through its question and its paraphrases: every text is a
document of jieba words plus character bigrams (bigrams catch what jieba splits
differently: "判决书" / "判决 书"), after the same normalisation the classifier
uses (full width, traditional → simplified, typos). An entry scores the best of
its texts.

Two scorers, both pure Python and with no data to download: Okapi BM25 and TF-IDF
cosine. Both give a score in [0, 1] — BM25 divided by the weight of the whole
query, so a message with many words the bank never saw scores low — which lets
one threshold mean the same for a short and a long message.
``benchmarks/qbank_bench.py`` measures both on the held-out questions
(tests/knowledge/qbank_heldout.yml); BM25 is the default because it measured
better (README, benchmarks/RESULTS.md).
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from knowledge.questions import Question, QuestionBank
from nlu.features import words
from nlu.normalize import normalize

Method = Literal["bm25", "tfidf"]

#: Below this a bank entry is no answer: the dialog falls back as it did before.
THRESHOLD = 0.5
#: An entry marked ``specific`` overrides a sure intent only from this score on.
SPECIFIC_THRESHOLD = 0.6
#: And the message must cover this share of the matched text's own weight: "行政诉讼怎么立案"
#: shares its topic with "行政诉讼诉讼费多少" but not the question, so it is no answer.
COVERAGE = 0.45
SPECIFIC_COVERAGE = 0.55
#: BM25 parameters (the usual defaults; the texts are short and of similar length).
K1, B = 1.2, 0.75
#: The answer is indexed too, at this weight: it names what the question is about
#: ("原审法院", "生效") in words the paraphrases may not use.
ANSWER_WEIGHT = 0.3

#: Words that say nothing of what a question is about.
_STOPWORD_TEXT = (
    "的 了 吗 呢 啊 吧 呀 哦 嘛 么 哈 啦 我 我们 你 你们 您 他 她 他们 它 是 在 有 要 能 会 "
    "想 问 问问 请问 一下 下 这 那 这个 那个 这样 那样 就 都 也 还 和 跟 与 给 把 被 让 "
    "怎么 怎么办 怎样 如何 什么 啥 咋 咋办 哪 哪里 哪儿 可以 可不可以 能不能 是不是 有没有 "
    "嗯 呃 俺 咱 咱们 个 一个 说 就是 然后 现在 已经 还是 或者 如果 因为 所以 但是 "
    "没 没有 不 不是 得 地 着 过 又 再 才 很 太 多 好 行 对 去 来 到 办 弄 整"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
#: Colloquial words folded onto the bank's wording before tokenising (both sides), so
#: "状子" meets "起诉状" and "车祸" meets "交通事故"; longest first.
SYNONYMS: dict[str, str] = {
    "打官司": "起诉",
    "告状": "起诉",
    "状子": "起诉状",
    "工钱": "工资",
    "薪水": "工资",
    "工资钱": "工资",
    "车祸": "交通事故",
    "撞车": "交通事故",
    "媳妇": "配偶",
    "老婆": "配偶",
    "老公": "配偶",
    "丈夫": "配偶",
    "妻子": "配偶",
    "上访": "信访",
    "中院": "中级法院",
    "弄丢": "丢失",
    "丢了": "丢失",
    "不见了": "丢失",
    "找不到了": "丢失",
    "多少天": "几天",
    "多长时间": "多久",
    "多少时间": "多久",
}
_SYNONYM_ORDER = sorted(SYNONYMS, key=len, reverse=True)
#: Characters left out of bigrams (particles and punctuation-like fillers).
_STOP_CHARS = frozenset("的了吗呢啊吧呀哦嘛么哈啦我你您他她它是在")
_CJK = re.compile(r"[\u4e00-\u9fff]+")


def tokens(text: str) -> list[str]:
    """jieba words (without stop words) and CJK character bigrams of the normalised text."""
    folded = normalize(text).text
    for word in _SYNONYM_ORDER:
        if word in folded:
            folded = folded.replace(word, SYNONYMS[word])
    out = [w for w in words(folded) if w not in STOPWORDS]
    for run in _CJK.findall(folded):
        chars = [c for c in run if c not in _STOP_CHARS]
        out += ["".join(pair) for pair in itertools.pairwise(chars)]
    return out


@dataclass(frozen=True)
class Hit:
    question: Question
    score: float
    #: Which of the entry's texts matched best (the question or a paraphrase).
    matched: str
    #: Share of the matched text's weight that the message covers (the other direction).
    coverage: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.question.id,
            "score": round(self.score, 4),
            "question": self.question.question,
            "matched": self.matched,
            "coverage": round(self.coverage, 4),
            "tag": self.question.tag,
            "source": list(self.question.sources),
            "specific": self.question.specific,
        }


class QuestionIndex:
    """An inverted index over the bank's texts; built on the first search."""

    def __init__(self, bank: QuestionBank, method: Method = "bm25") -> None:
        self.bank = bank
        self.method: Method = method
        self.threshold = THRESHOLD
        self.specific_threshold = SPECIFIC_THRESHOLD
        self.answer_weight = ANSWER_WEIGHT
        self._built = False

    def _build(self) -> None:
        self._owners: list[Question] = []
        self._texts: list[str] = []
        self._answer_docs: set[int] = set()
        bags: list[Counter[str]] = []
        for question in self.bank:
            for text in question.texts:
                self._owners.append(question)
                self._texts.append(text)
                bags.append(Counter(tokens(text)))
            self._answer_docs.add(len(bags))
            self._owners.append(question)
            self._texts.append(question.answer)
            bags.append(Counter(tokens(question.answer)))
        count = len(bags)
        df: Counter[str] = Counter()
        for bag in bags:
            df.update(bag.keys())
        self._lengths = [sum(bag.values()) for bag in bags]
        self._average = sum(self._lengths) / max(count, 1)
        if self.method == "bm25":
            self._idf = {t: math.log(1 + (count - n + 0.5) / (n + 0.5)) for t, n in df.items()}
            self._unknown_idf = math.log(1 + (count + 0.5) / 0.5)
        else:
            self._idf = {t: math.log((1 + count) / (1 + n)) + 1 for t, n in df.items()}
            self._unknown_idf = math.log(1 + count) + 1
        self._bags = bags
        self._postings: dict[str, list[tuple[int, float]]] = {}
        self._norms: list[float] = []
        for doc, bag in enumerate(bags):
            norm = 0.0
            for term, tf in bag.items():
                weight = self._doc_weight(term, tf, self._lengths[doc])
                self._postings.setdefault(term, []).append((doc, weight))
                norm += weight * weight
            self._norms.append(math.sqrt(norm) or 1.0)
        self._built = True

    def _doc_weight(self, term: str, tf: int, length: int) -> float:
        if self.method == "bm25":
            saturation = tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / self._average))
            return self._idf[term] * saturation
        return (1 + math.log(tf)) * self._idf[term]

    def scores(self, text: str) -> list[tuple[float, int]]:
        """(score, text index) of every text sharing a term with ``text``."""
        if not self._built:
            self._build()
        query = Counter(tokens(text))
        if not query:
            return []
        total: dict[int, float] = {}
        if self.method == "bm25":
            # the best a text could score is every query term once: the query's own weight
            ideal = sum(self._idf.get(t, self._unknown_idf) for t in query)
            for term in query:
                for doc, weight in self._postings.get(term, ()):
                    total[doc] = total.get(doc, 0.0) + weight
            return [(value / ideal, doc) for doc, value in total.items()]
        weights = {
            t: (1 + math.log(n)) * self._idf.get(t, self._unknown_idf) for t, n in query.items()
        }
        norm = math.sqrt(sum(w * w for w in weights.values()))
        for term, qw in weights.items():
            for doc, weight in self._postings.get(term, ()):
                total[doc] = total.get(doc, 0.0) + qw * weight
        return [(value / (norm * self._norms[doc]), doc) for doc, value in total.items()]

    def search(self, text: str, limit: int = 5) -> list[Hit]:
        """The best entries for ``text``, best first, one hit per entry; ties (a score
        reaches 1 when the message is all in a text) go to the text the message covers more."""
        best: dict[str, tuple[float, int]] = {}
        bonus: dict[str, float] = {}
        for score, doc in self.scores(text):
            owner = self._owners[doc]
            if doc in self._answer_docs:
                bonus[owner.id] = self.answer_weight * score
            elif owner.id not in best or score > best[owner.id][0]:
                best[owner.id] = (score, doc)
        query = set(tokens(text))
        hits = [
            Hit(
                self._owners[doc],
                min(score + bonus.get(key, 0.0), 1.0),
                self._texts[doc],
                self._coverage(query, doc),
            )
            for key, (score, doc) in best.items()
        ]
        hits.sort(key=lambda hit: (-hit.score, -hit.coverage, hit.question.id))
        return hits[:limit]

    def _coverage(self, query: set[str], doc: int) -> float:
        bag = self._bags[doc].keys()
        total = sum(self._idf.get(t, self._unknown_idf) for t in bag)
        shared = sum(self._idf.get(t, self._unknown_idf) for t in bag & query)
        return shared / total if total else 0.0

    def best(self, text: str, *, specific_only: bool = False) -> Hit | None:
        """The entry that answers ``text``, or None when nothing clears the threshold."""
        hits = self.search(text, limit=1)
        if not hits:
            return None
        hit = hits[0]
        if specific_only:
            sure = hit.score >= self.specific_threshold and hit.coverage >= SPECIFIC_COVERAGE
            return hit if hit.question.specific and sure else None
        return hit if hit.score >= self.threshold and hit.coverage >= COVERAGE else None


def top1_accuracy(index: QuestionIndex, cases: Iterable[tuple[str, str]]) -> float:
    """Share of (message, expected id) pairs whose best hit is the expected entry."""
    pairs: Sequence[tuple[str, str]] = list(cases)
    right = 0
    for text, expected in pairs:
        hits = index.search(text, limit=1)
        right += bool(hits) and hits[0].question.id == expected
    return right / max(len(pairs), 1)
