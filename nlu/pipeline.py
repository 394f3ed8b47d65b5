"""Text in, Rasa parse result out."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from nlu.classifier import IntentModel, load_model
from nlu.entities import EntityExtractor
from nlu.extractors.base import Entity
from nlu.features import clip, mask_entities
from nlu.normalize import normalize

#: Courts in Ordos keep Beijing time; "昨天" is resolved in it.
COURT_TZ = ZoneInfo("Asia/Shanghai")
#: Intent given to input nothing in training resembles.
FALLBACK_INTENT = "out_of_scope"
#: Confidence reported with that fallback: low, so dialogs treat it as unsure.
FALLBACK_CONFIDENCE = 0.1
#: Rasa returns the ten best intents.
RANKING_SIZE = 10
#: Longer input is cut before parsing: nobody types more into a chat box.
MAX_CHARS = 5000


class NluPipeline:
    def __init__(self, model: IntentModel, extractor: EntityExtractor) -> None:
        self.model = model
        self.extractor = extractor

    @classmethod
    def load(cls, model_path: Path, config_dir: Path | None = None) -> NluPipeline:
        return cls(load_model(model_path), EntityExtractor(config_dir))

    def parse(self, text: str, now: datetime | None = None) -> dict[str, Any]:
        text = text if isinstance(text, str) else str(text)
        entities, features = analyse(self.extractor, text, now)
        if features.strip() and self.model.has_known_words(features):
            ranking = self.model.rank(features)[:RANKING_SIZE]
        else:
            ranking = [(FALLBACK_INTENT, FALLBACK_CONFIDENCE)]
        return {
            "text": text,
            "intent": {"name": ranking[0][0], "confidence": round(ranking[0][1], 4)},
            "entities": [e.as_dict(text) for e in entities],
            "intent_ranking": [
                {"name": name, "confidence": round(conf, 4)} for name, conf in ranking
            ],
        }


def analyse(
    extractor: EntityExtractor, text: str, now: datetime | None = None
) -> tuple[list[Entity], str]:
    """Entities of a message and the classifier's view of it (the same at training time)."""
    norm = normalize(text[:MAX_CHARS])
    entities = extractor.extract(norm, _today(now))
    return entities, clip(mask_entities(norm.text, entities))


def _today(now: datetime | None) -> date:
    moment = now or datetime.now(COURT_TZ)
    if moment.tzinfo is not None:
        moment = moment.astimezone(COURT_TZ)
    return moment.date()
