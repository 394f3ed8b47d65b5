"""Serve an ASGI app with uvicorn on a free loopback port in a background thread.

Reusable by any test that needs a real HTTP server (the court simulator, a
fake platform API):

    with run_in_thread(app) as base_url:
        httpx.get(f"{base_url}/health")
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

STARTUP_TIMEOUT = 10.0


class ServerThread:
    """One uvicorn server on a socket bound before start, so the port is known up front."""

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1") -> None:
        # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on sockets that say
        # so, and without it every response waits ~40 ms for a delayed ACK.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, 0))
        self.port: int = self._socket.getsockname()[1]
        self.base_url = f"http://{host}:{self.port}"
        config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving and close the port (later connections are refused)."""
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self._socket.close()


@contextmanager
def run_in_thread(app: ASGIApp, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``app`` for the duration of the block; yields the base URL (no trailing slash)."""
    server = ServerThread(app, host)
    server.start()
    try:
        yield server.base_url
    finally:
        server.stop()
