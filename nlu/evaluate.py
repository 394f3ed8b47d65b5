"""Evaluating the NLU on a Rasa-format file: the report ``nlu test --json`` prints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nlu.pipeline import NluPipeline
from nlu.training_data import EntityAnnotation, TrainingData


@dataclass
class _Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def scores(self) -> dict[str, float | int]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": self.tp + self.fn,
        }


def _same_value(expected: EntityAnnotation, predicted: dict[str, Any]) -> bool:
    if expected.entity != predicted["entity"]:
        return False
    want, got = expected.value, predicted["value"]
    try:
        if float(want) == float(got):
            return True
    except (TypeError, ValueError):
        pass
    if str(want).strip() == str(got).strip():
        return True
    # An annotation without a value names only the span: the span must then agree.
    return not expected.explicit_value and expected.text == predicted.get("text")


def _match_entities(
    expected: Iterable[EntityAnnotation],
    predicted: list[dict[str, Any]],
    tallies: dict[str, _Tally],
) -> None:
    unmatched = list(predicted)
    for want in expected:
        hit = next((p for p in unmatched if _same_value(want, p)), None)
        tally = tallies.setdefault(want.entity, _Tally())
        if hit is None:
            tally.fn += 1
        else:
            tally.tp += 1
            unmatched.remove(hit)
    for extra in unmatched:
        tallies.setdefault(extra["entity"], _Tally()).fp += 1


def evaluate(
    pipeline: NluPipeline, data: TrainingData, now: datetime | None = None
) -> dict[str, Any]:
    """Score every example; ``now`` fixes what relative dates ("明天") resolve to."""
    intents: dict[str, _Tally] = {}
    entities: dict[str, _Tally] = {}
    confusions: Counter[tuple[str, str]] = Counter()
    errors: list[dict[str, Any]] = []
    correct = 0
    for example in data.examples:
        result = pipeline.parse(example.text, now=now)
        predicted = result["intent"]["name"]
        confidence = result["intent"]["confidence"]
        intents.setdefault(example.intent, _Tally())
        intents.setdefault(predicted, _Tally())
        if predicted == example.intent:
            correct += 1
            intents[predicted].tp += 1
        else:
            intents[example.intent].fn += 1
            intents[predicted].fp += 1
            confusions[(example.intent, predicted)] += 1
            errors.append(
                {
                    "text": example.text,
                    "expected": example.intent,
                    "predicted": predicted,
                    "confidence": confidence,
                }
            )
        _match_entities(example.entities, result["entities"], entities)
    per_intent = {name: tally.scores() for name, tally in sorted(intents.items())}
    n = len(data.examples)
    macro = (
        sum(float(s["f1"]) for s in per_intent.values()) / len(per_intent) if per_intent else 0.0
    )
    entity_scores = {name: tally.scores() for name, tally in sorted(entities.items())}
    total = _Tally(
        sum(t.tp for t in entities.values()),
        sum(t.fp for t in entities.values()),
        sum(t.fn for t in entities.values()),
    )
    return {
        "n": n,
        "accuracy": round(correct / n, 4) if n else 0.0,
        "macro_f1": round(macro, 4),
        "per_intent": per_intent,
        "entities": entity_scores,
        "entity_micro": total.scores(),
        "confusions": [
            {"expected": want, "predicted": got, "count": count}
            for (want, got), count in confusions.most_common()
        ],
        "errors": sorted(errors, key=lambda e: -e["confidence"]),
    }
