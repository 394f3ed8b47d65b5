"""A live simulator on loopback, a real client pointed at it, fixture files."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.court.client import HttpCourtGateway
from bot.court.simulator import create_simulator
from tests.bot.court.server import run_in_thread


@pytest.fixture
def court_url() -> Iterator[str]:
    """The demo simulator with fault injection, served over real HTTP."""
    with run_in_thread(create_simulator(None, None, faults=True)) as url:
        yield url


@pytest.fixture
def gateway(court_url: str) -> Iterator[HttpCourtGateway]:
    with HttpCourtGateway(court_url, None) as client:
        yield client


@pytest.fixture
def write_fixture(tmp_path: Path) -> Callable[[Any], Path]:
    """Write a fixture document (JSON-serialisable, or raw text) to a file; return its path."""

    def write(content: Any, name: str = "cases.json") -> Path:
        path = tmp_path / name
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write
