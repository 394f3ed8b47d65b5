"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.cli.main import main
from bot.settings import Settings
from tests.databases import CREATED, app_database_url, drop_schema

if TYPE_CHECKING:
    from nlu.pipeline import NluPipeline


@pytest.fixture(scope="session", autouse=True)
def _drop_test_schemas() -> Iterator[None]:
    """PostgreSQL runs: drop every schema the test apps were given."""
    yield
    while CREATED:
        drop_schema(CREATED.pop())


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run ``yichuang ARGS...`` in-process; return (status, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        status = main(list(args))
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture(scope="session")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The intent model trained once per test run from the shipped data."""
    from nlu.train import DEFAULT_DATA_DIR, train

    path = tmp_path_factory.mktemp("nlu") / "model.pkl"
    train(DEFAULT_DATA_DIR, path)
    return path


@pytest.fixture(scope="session")
def nlu_pipeline(model_path: Path) -> NluPipeline:
    from nlu.pipeline import NluPipeline

    return NluPipeline.load(model_path)


@pytest.fixture
def settings(tmp_path: Path, model_path: Path) -> Settings:
    """Settings isolated from the developer's environment: own database and model."""
    return Settings(
        database_url=app_database_url(tmp_path, "test.db"),
        nlu_model_path=model_path,
        config_dir=Path(__file__).parents[1] / "config",
        _env_file=None,  # type: ignore[call-arg]
    )
