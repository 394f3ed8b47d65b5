"""Training the intent model from Rasa YAML, only when the data changed."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from nlu.classifier import IntentModel, ModelFileError, fingerprint, load_model
from nlu.entities import EntityExtractor
from nlu.pipeline import analyse
from nlu.training_data import TrainingDataError, read

#: The training data shipped with the package (test files in data/test are never trained on).
DEFAULT_DATA_DIR = Path(__file__).parent / "data"


def training_files(data: Path) -> list[Path]:
    if data.is_dir():
        return sorted([*data.glob("*.yml"), *data.glob("*.yaml")])
    if data.is_file():
        return [data]
    raise TrainingDataError(f"{data}: 训练数据不存在")


@dataclass(frozen=True)
class TrainResult:
    model: IntentModel
    trained: bool  # False when the saved model already matched the data
    seconds: float
    warnings: list[str]


def train(
    data: Path = DEFAULT_DATA_DIR,
    out: Path = Path("var/nlu/model.pkl"),
    *,
    force: bool = False,
    config_dir: Path | None = None,
) -> TrainResult:
    """Fit and save the model unless ``out`` was trained on exactly these files."""
    files = training_files(data)
    data_hash = fingerprint(files)
    if not force and out.is_file():
        try:
            existing = load_model(out)
        except ModelFileError:
            existing = None
        if existing is not None and existing.data_hash == data_hash:
            return TrainResult(existing, trained=False, seconds=0.0, warnings=[])
    from nlu.fitting import fit  # scikit-learn is loaded only when training

    started = time.perf_counter()
    training = read(data)
    if len(training.intents) < 2:
        raise TrainingDataError(f"{data}: 至少需要两个意图的训练样例")
    extractor = EntityExtractor(config_dir)
    texts = [analyse(extractor, example.text)[1] for example in training.examples]
    labels = [example.intent for example in training.examples]
    model, _ = fit(texts, labels, data_hash)
    model.save(out)
    return TrainResult(model, True, time.perf_counter() - started, training.warnings)
