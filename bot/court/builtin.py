"""The built-in demo court simulator: reachable by this app only.

Without ``YICHUANG_COURT_API_URL`` the assistant talks to the simulator over
real HTTP, as it would to the court's API, but the simulator is never part of
the public app: it listens on a loopback port of its own (127.0.0.1, whatever
``--host`` the app serves on) and demands an API key made fresh at every start
(``secrets.token_urlsafe``) that only the app's court client knows. With
``serve --workers N`` the supervisor runs one for all workers and hands them its
URL and key through the environment (bot.cli.serve).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from bot.serving import free_port, serve_in_thread
from bot.settings import Settings

LOOPBACK = "127.0.0.1"


class BuiltinSimulator:
    """The simulator app, its URL (port chosen now) and its key; served while ``running``.

    Tests reach ``/_sim/faults`` through ``url`` and ``api_key`` (the app keeps
    this object in ``app.state.court_simulator``); nothing else should.
    """

    def __init__(self, settings: Settings) -> None:
        from bot.court.simulator import create_simulator

        self.api_key = secrets.token_urlsafe(32)
        self.app = create_simulator(
            settings.court_fixture, self.api_key, faults=settings.court_sim_faults
        )
        self.port = free_port(LOOPBACK)
        self.url = f"http://{LOOPBACK}:{self.port}"
        self._stack: ExitStack | None = None

    def start(self) -> None:
        stack = ExitStack()
        stack.enter_context(serve_in_thread(self.app, LOOPBACK, self.port, keep_logging=True))
        self._stack = stack

    def stop(self) -> None:
        if self._stack is not None:
            self._stack.close()
            self._stack = None

    @contextmanager
    def running(self) -> Iterator[BuiltinSimulator]:
        self.start()
        try:
            yield self
        finally:
            self.stop()
