"""Fitting the intent classifier with scikit-learn (training time only).

Char 1–3-grams and jieba words, each TF-IDF weighted, into a multinomial
logistic regression: the probabilities are what the dialog layer thresholds.
"""

from __future__ import annotations

import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from nlu.classifier import IntentModel
from nlu.features import words
from nlu.scorer import LinearTextScorer


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


def fit(texts: list[str], labels: list[str], data_hash: str) -> tuple[IntentModel, Pipeline]:
    """Fit the scikit-learn pipeline and distil it; the pipeline is returned for checks."""
    pipeline = build_pipeline()
    pipeline.fit(texts, labels)
    scorer = LinearTextScorer.from_pipeline(pipeline)
    model = IntentModel(
        scorer, data_hash, n_examples=len(texts), sklearn_version=sklearn.__version__
    )
    return model, pipeline
