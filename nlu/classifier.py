"""The intent model as it is served: a distilled scorer plus its provenance.

One artefact on disk holds the fitted pipeline, the intent list and the hash of
the training data it came from, so ``nlu train`` can skip work when nothing
changed and a stale model is never silently used with new data.
"""

from __future__ import annotations

import hashlib
import pickle
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from nlu.scorer import LinearTextScorer

#: Bump when features or model change in a way that invalidates saved models.
FORMAT_VERSION = 2


@dataclass
class IntentModel:
    """The saved artefact: the distilled scorer plus what it was trained on."""

    scorer: LinearTextScorer
    data_hash: str
    trained_at: float = field(default_factory=time.time)
    n_examples: int = 0
    format_version: int = FORMAT_VERSION
    sklearn_version: str = ""

    @property
    def intents(self) -> list[str]:
        return list(self.scorer.classes)

    def rank(self, features_text: str) -> list[tuple[str, float]]:
        """All intents with probabilities, best first."""
        probabilities = self.scorer.probabilities(features_text)
        order = np.argsort(probabilities)[::-1]
        return [(self.scorer.classes[i], float(probabilities[i])) for i in order]

    def has_known_words(self, features_text: str) -> bool:
        """False when no word of the text was seen in training (gibberish, emoji only).

        Words, not characters: "zzzz qqqq" shares letters with pinyin examples but
        means nothing, and must not be ranked as if it did.
        """
        return self.scorer.known_words(features_text)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        with tmp.open("wb") as handle:
            pickle.dump(self, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)  # atomic: a running server never reads half a model


class ModelFileError(RuntimeError):
    """The model file is missing, unreadable or made by an incompatible version."""


def load_model(path: Path) -> IntentModel:
    if not path.is_file():
        raise ModelFileError(f"找不到意图模型 {path}，请先运行 yichuang nlu train")
    try:
        with path.open("rb") as handle:
            model = pickle.load(handle)  # our own artefact, written by save()
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
        raise ModelFileError(f"意图模型 {path} 无法读取，请重新训练: {exc}") from exc
    if not isinstance(model, IntentModel) or model.format_version != FORMAT_VERSION:
        raise ModelFileError(f"意图模型 {path} 版本不符，请重新训练")
    return model


def fingerprint(files: list[Path]) -> str:
    """Hash of the training files' names and contents plus the model format."""
    trainer = version("scikit-learn")  # not imported: serving never needs it
    digest = hashlib.sha256(f"format={FORMAT_VERSION};sklearn={trainer}".encode())
    for file in sorted(files):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def describe(model: IntentModel) -> dict[str, Any]:
    return {
        "intents": len(model.intents),
        "examples": model.n_examples,
        "data_hash": model.data_hash[:12],
        "format_version": model.format_version,
        "sklearn_version": model.sklearn_version,
    }
