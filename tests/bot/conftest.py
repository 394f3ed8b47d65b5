"""Fixtures of the app-level tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import create_app
from bot.serving import free_port, serve_in_thread
from tests.bot.rest_live import Live, live_settings


@pytest.fixture
def live(tmp_path: Path, model_path: Path) -> Iterator[Live]:
    """A real server on loopback, spoken to through the REST channel."""
    port = free_port()
    settings = live_settings(tmp_path, model_path, port)
    app = create_app(settings)
    with serve_in_thread(app, port=port) as url:
        yield Live(url, settings, app)
