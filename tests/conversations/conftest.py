"""One runner (migrated template store, demo court over loopback HTTP) per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.convtest.runner import Runner
from bot.court.builtin import BuiltinSimulator
from bot.court.client import HttpCourtGateway
from bot.settings import Settings

CONFIG_DIR = Path(__file__).parents[2] / "config"


@pytest.fixture(scope="session")
def runner(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    workdir = tmp_path_factory.mktemp("conversations")
    settings = Settings(
        database_url=f"sqlite:///{workdir / 'unused.db'}",
        nlu_model_path=model_path,
        config_dir=CONFIG_DIR,
        _env_file=None,  # type: ignore[call-arg]
    )
    with BuiltinSimulator(settings).running() as simulator:
        court = HttpCourtGateway(simulator.url, simulator.api_key)
        yield Runner(settings, court, workdir)
