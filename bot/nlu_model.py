"""Getting a ready NLU pipeline: train on first use or when the data changed, then load."""

from __future__ import annotations

import logging

from bot.settings import Settings
from nlu.features import use_dictionary_cache
from nlu.pipeline import NluPipeline
from nlu.train import DEFAULT_DATA_DIR, TrainResult, train

log = logging.getLogger(__name__)


def ensure_trained(settings: Settings, *, force: bool = False) -> TrainResult:
    use_dictionary_cache(settings.nlu_model_path.parent)
    data = settings.nlu_data_dir or DEFAULT_DATA_DIR
    result = train(
        data, settings.nlu_model_path, force=force, config_dir=settings.court_config_dir()
    )
    if result.trained:
        log.info("NLU model trained in %.1fs from %s", result.seconds, data)
    return result


def load_pipeline(settings: Settings) -> NluPipeline:
    """The pipeline for serving and the CLI; trains first when the model is missing or stale."""
    result = ensure_trained(settings)
    from nlu.entities import EntityExtractor

    return NluPipeline(result.model, EntityExtractor(settings.court_config_dir()))
