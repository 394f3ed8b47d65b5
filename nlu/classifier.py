"""The intent classifier: char n-grams + jieba words → calibrated logistic regression.

One artefact on disk holds the fitted pipeline, the intent list and the hash of
the training data it came from, so ``nlu train`` can skip work when nothing
changed and a stale model is never silently used with new data.
"""

from __future__ import annotations

import hashlib
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from nlu.features import words

#: Bump when features or model change in a way that invalidates saved models.
FORMAT_VERSION = 1


def build_pipeline() -> Pipeline:
    features = FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1),
            ),
            (
                "words",
                TfidfVectorizer(
                    tokenizer=words,
                    token_pattern=None,
                    lowercase=False,
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                ),
            ),
        ]
    )
    model = LogisticRegression(C=20.0, max_iter=3000, class_weight="balanced")
    return Pipeline([("features", features), ("model", model)])


@dataclass
class IntentModel:
    pipeline: Pipeline
    intents: list[str]
    data_hash: str
    trained_at: float = field(default_factory=time.time)
    n_examples: int = 0
    format_version: int = FORMAT_VERSION
    sklearn_version: str = sklearn.__version__

    def rank(self, features_text: str) -> list[tuple[str, float]]:
        """All intents with probabilities, best first."""
        probabilities = self.pipeline.predict_proba([features_text])[0]
        order = np.argsort(probabilities)[::-1]
        return [(self.intents[i], float(probabilities[i])) for i in order]

    def has_known_words(self, features_text: str) -> bool:
        """False when no word of the text was seen in training (gibberish, emoji only).

        Words, not characters: "zzzz qqqq" shares letters with pinyin examples but
        means nothing, and must not be ranked as if it did.
        """
        words = self.pipeline.named_steps["features"].transformer_list[1][1]
        return bool(words.transform([features_text]).nnz)

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
    digest = hashlib.sha256(f"format={FORMAT_VERSION};sklearn={sklearn.__version__}".encode())
    for file in sorted(files):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def fit(texts: list[str], labels: list[str], data_hash: str) -> IntentModel:
    pipeline = build_pipeline()
    pipeline.fit(texts, labels)
    intents = [str(c) for c in pipeline.named_steps["model"].classes_]
    return IntentModel(pipeline, intents, data_hash, n_examples=len(texts))


def describe(model: IntentModel) -> dict[str, Any]:
    return {
        "intents": len(model.intents),
        "examples": model.n_examples,
        "data_hash": model.data_hash[:12],
        "format_version": model.format_version,
        "sklearn_version": model.sklearn_version,
    }
