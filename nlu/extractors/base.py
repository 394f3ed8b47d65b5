"""The entity record and the overlap rule shared by all extractors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Entity:
    entity: str
    value: Any
    start: int
    end: int
    extractor: str = "yichuang"

    def as_dict(self, original: str) -> dict[str, Any]:
        """Rasa's entity shape; ``text`` is the span exactly as the user typed it."""
        return {
            "entity": self.entity,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "text": original[self.start : self.end],
            "extractor": self.extractor,
        }

    def overlaps(self, other: Entity) -> bool:
        return self.start < other.end and other.start < self.end


def without_overlaps(ordered: Iterable[Entity]) -> list[Entity]:
    """Keep entities in priority order, dropping any that overlaps one already kept."""
    kept: list[Entity] = []
    for candidate in ordered:
        if not any(candidate.overlaps(k) for k in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda e: e.start)
