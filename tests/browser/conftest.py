"""Browser fixtures: Debian's Chromium driven by Playwright against a real server.

Missing Chromium or Playwright skips these tests with the reason, except under
CI=true, where it fails (contracts.md §6).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import bot.app
from bot.settings import Settings
from tests.browser.server import base_url_of, bind_loopback, run_in_thread
from tests.databases import app_database_url
from tests.environment import unavailable

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
REPO = Path(__file__).parents[2]


def server_settings(tmp: Path, model_path: Path, base_url: str) -> Settings:
    """Settings for one test server: its own database, the shipped config, its own address."""
    return Settings(
        database_url=app_database_url(tmp, "web.db"),
        nlu_model_path=model_path,
        config_dir=REPO / "config",
        public_base_url=base_url,
        local_url=base_url,  # the built-in court simulator is reached through it
        _env_file=None,  # type: ignore[call-arg]
    )


def start_server(tmp: Path, model_path: Path, port: int = 0) -> Any:
    """The context manager of a real server built by bot.app.create_app."""
    sock = bind_loopback(port)
    settings = server_settings(tmp, model_path, base_url_of(sock))
    return run_in_thread(bot.app.create_app(settings), sock=sock)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, model_path: Path) -> Iterator[str]:
    """One real server for a test module."""
    with start_server(tmp_path_factory.mktemp("web"), model_path) as url:
        yield url


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A fresh phone-sized page (its own storage), Chinese locale, failing fast."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
