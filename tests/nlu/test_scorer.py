"""The distilled scorer must give exactly scikit-learn's probabilities."""

from __future__ import annotations

import numpy as np

from nlu.fitting import fit
from nlu.train import DEFAULT_DATA_DIR
from nlu.training_data import read


def test_distilled_scorer_matches_scikit_learn() -> None:
    data = read(DEFAULT_DATA_DIR / "nlu_control.yml")
    texts = [e.text for e in data.examples][::3]
    labels = [e.intent for e in data.examples][::3]
    model, pipeline = fit(texts, labels, "test")
    probes = [e.text for e in read(DEFAULT_DATA_DIR / "test").examples][:150]
    probes += ["", "   ", "a  b\tc", "ＡＢＣ", "订 个 号"]
    for text in probes:
        ours = model.scorer.probabilities(text)
        theirs = pipeline.predict_proba([text])[0]
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12, err_msg=text)
