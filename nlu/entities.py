"""All entity extractors in priority order, over one normalised message."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from knowledge.case_number import find_case_numbers
from knowledge.courts import load_court_directory
from knowledge.model_texts import load_model_texts
from nlu.extractors.amount import extract_amounts
from nlu.extractors.base import Entity, without_overlaps
from nlu.extractors.contact import extract_id_numbers, extract_phones
from nlu.extractors.dates import extract_dates
from nlu.normalize import Normalized, normalize

#: The model-text group of enforcement applications (facts.md §1.3 B).
ENFORCEMENT_GROUP = "B"


def _alternation(words: Mapping[str, str]) -> re.Pattern[str] | None:
    """One regex over many literal names, longest first (东胜区法院 before 东胜法院)."""
    if not words:
        return None
    ordered = sorted(words, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered))


@dataclass(frozen=True)
class Gazetteer:
    """A list of names → canonical values (court names, everyday words for case types)."""

    entity: str
    values: dict[str, str]
    pattern: re.Pattern[str] | None

    @classmethod
    def of(cls, entity: str, values: Mapping[str, str]) -> Gazetteer:
        folded = {normalize(k).text: v for k, v in values.items() if k}
        return cls(entity, folded, _alternation(folded))

    def extract(self, text: str) -> list[Entity]:
        if self.pattern is None:
            return []
        return [
            Entity(self.entity, self.values[m.group(0)], m.start(), m.end())
            for m in self.pattern.finditer(text)
        ]


def _case_numbers(norm: Normalized) -> list[Entity]:
    # The case-number grammar normalises brackets and width itself: give it the original.
    return [
        Entity("case_number", number.canonical, start, end)
        for start, end, number in find_case_numbers(norm.original)
    ]


class EntityExtractor:
    """Runs every extractor; an earlier (more specific) one wins an overlapping span."""

    def __init__(self, config_dir: Path | None = None) -> None:
        directory = load_court_directory(config_dir)
        courts = {alias: court.name for alias, court in directory.aliases().items()}
        courts.update({court.name: court.name for court in directory.all()})
        catalogue = load_model_texts(config_dir)
        # Group B (执行) are applications, not causes of action: "申请执行" names a
        # procedure the intent already carries, not a 案由.
        categories = {
            word: text.name
            for word, text in catalogue.categories().items()
            if text.group != ENFORCEMENT_GROUP
        }
        self._courts = Gazetteer.of("court", courts)
        self._categories = Gazetteer.of("case_category", categories)

    def extract(self, norm: Normalized, today: date) -> list[Entity]:
        text = norm.text
        steps: list[Callable[[], list[Entity]]] = [
            lambda: _case_numbers(norm),
            lambda: extract_id_numbers(text),
            lambda: extract_phones(text),
            lambda: extract_dates(text, today),
            lambda: extract_amounts(text),
            lambda: self._courts.extract(text),
            lambda: self._categories.extract(text),
        ]
        return without_overlaps(entity for step in steps for entity in step())
