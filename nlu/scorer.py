"""Scoring a message with the fitted model's numbers, without scikit-learn at run time.

Why: scikit-learn's per-call input validation costs milliseconds, while the
arithmetic of TF-IDF + logistic regression on one short message costs
microseconds. At training time the fitted pipeline is distilled into plain
vocabularies and arrays; this module repeats exactly what
``TfidfVectorizer.transform`` and ``LogisticRegression.predict_proba`` compute
(a test checks the two agree), so a server neither imports scikit-learn nor
waits for it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

_WHITESPACE = re.compile(r"\s\s+")

Floats = npt.NDArray[np.float64]


def char_ngrams(text: str, low: int, high: int) -> list[str]:
    """scikit-learn's ``analyzer="char"``: collapse runs of white space, then n-grams."""
    text = _WHITESPACE.sub(" ", text.lower())
    size = len(text)
    return [text[i : i + n] for n in range(low, min(high, size) + 1) for i in range(size - n + 1)]


def word_ngrams(tokens: list[str], low: int, high: int) -> list[str]:
    """scikit-learn's word n-grams: tokens joined by one space."""
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


@dataclass(frozen=True)
class TfidfPart:
    """One fitted TfidfVectorizer (sublinear tf, l2 norm) as a vocabulary and idf weights."""

    vocabulary: dict[str, int]
    idf: Floats
    offset: int  # where its columns start in the joined feature space

    def weights(self, terms: list[str]) -> tuple[list[int], Floats]:
        counts = Counter(self.vocabulary[t] for t in terms if t in self.vocabulary)
        if not counts:
            return [], np.zeros(0)
        columns = list(counts)
        values = np.array([(math.log(counts[c]) + 1.0) * self.idf[c] for c in columns])
        values /= np.sqrt(values @ values)
        return [c + self.offset for c in columns], values


@dataclass(frozen=True)
class LinearTextScorer:
    chars: TfidfPart
    char_range: tuple[int, int]
    words: TfidfPart
    word_range: tuple[int, int]
    tokenizer: Callable[[str], list[str]]
    coef_t: Floats  # (n_features, n_classes): one row per feature, gathered per message
    intercept: Floats
    classes: tuple[str, ...]

    @classmethod
    def from_pipeline(cls, pipeline: Any) -> LinearTextScorer:
        """Distil a fitted ``features`` (char + word TF-IDF) → ``model`` (multinomial LR)."""
        (_, char_vec), (_, word_vec) = pipeline.named_steps["features"].transformer_list
        model = pipeline.named_steps["model"]
        char_part = TfidfPart(dict(char_vec.vocabulary_), np.asarray(char_vec.idf_), 0)
        words_part = TfidfPart(
            dict(word_vec.vocabulary_), np.asarray(word_vec.idf_), len(char_vec.vocabulary_)
        )
        return cls(
            chars=char_part,
            char_range=tuple(char_vec.ngram_range),
            words=words_part,
            word_range=tuple(word_vec.ngram_range),
            tokenizer=word_vec.tokenizer,
            coef_t=np.ascontiguousarray(model.coef_.T),
            intercept=np.asarray(model.intercept_),
            classes=tuple(str(c) for c in model.classes_),
        )

    def _word_terms(self, text: str) -> list[str]:
        return word_ngrams(self.tokenizer(text), *self.word_range)

    def known_words(self, text: str) -> bool:
        return any(term in self.words.vocabulary for term in self._word_terms(text))

    def probabilities(self, text: str) -> Floats:
        char_cols, char_vals = self.chars.weights(char_ngrams(text, *self.char_range))
        word_cols, word_vals = self.words.weights(self._word_terms(text))
        columns = char_cols + word_cols
        logits = self.intercept.copy()
        if columns:
            logits += np.concatenate([char_vals, word_vals]) @ self.coef_t[columns]
        logits -= logits.max()
        exp = np.exp(logits)
        result: Floats = exp / exp.sum()
        return result
