"""Text normalisation that keeps a map back to the user's own characters.

Every step is character-for-character (full width → half width, traditional →
simplified, lower case, safe typo repair of equal length), so an entity found
in the normalised text has the same ``start``/``end`` in what the user typed —
Rasa's contract is that ``text[start:end]`` is the span as typed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import opencc

#: Typos and homophones that are safe to repair anywhere (never a real word in a
#: litigant's message). Same length on both sides, so offsets do not move.
TYPO_REPAIRS: dict[str, str] = {
    "起述": "起诉",
    "起塑": "起诉",
    "判绝书": "判决书",
    "判决则": "判决书",
    "执形": "执行",
    "立按": "立案",
    "诉讼废": "诉讼费",
    "保权": "保全",
    "案宽": "案款",
    "传漂": "传票",
    "仲栽": "仲裁",
}

#: Full-width punctuation the classifier should treat like its half-width twin,
#: beyond what NFKC already folds.
_PUNCT = str.maketrans({"。": ".", "、": ",", "【": "[", "】": "]", "〔": "(", "〕": ")"})


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _fold_char(char: str) -> str:
    """One character to its normal form; multi-character NFKC results are kept as is."""
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) != 1:
        return char
    return folded.translate(_PUNCT).lower()


def _to_simplified(text: str) -> str:
    converted: str = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    # A phrase conversion changed the length: fall back to character by character.
    return "".join(c if len(c := _converter().convert(ch)) == 1 else ch for ch in text)


@dataclass(frozen=True)
class Normalized:
    original: str
    text: str  # same length as ``original``; position i corresponds to original[i]


def normalize(text: str) -> Normalized:
    """Fold width, script, case and known typos; the result aligns 1:1 with ``text``."""
    folded = "".join(_fold_char(ch) for ch in text)
    simplified = _to_simplified(folded)
    for wrong, right in TYPO_REPAIRS.items():
        if wrong in simplified:
            simplified = simplified.replace(wrong, right)
    return Normalized(original=text, text=simplified)


def collapse_whitespace(text: str) -> str:
    """For the classifier only (offsets do not matter there): one space between tokens."""
    return " ".join(text.split())
