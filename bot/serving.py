"""Running an ASGI app with uvicorn in a background thread (chat CLI, tests)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int | None = None) -> Iterator[str]:
    """Serve ``app`` on loopback until the block ends; yields its base URL."""
    port = port or free_port(host)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=5,  # open event streams must not hold a restart
        )
    )
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"server on port {port} did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def serve_forever(app: Any, host: str, port: int, level: str, as_json: bool) -> None:
    """Serve in the foreground with our logging (masked, optionally JSON) for uvicorn too."""
    from bot.logs import logging_config

    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=logging_config(level, as_json=as_json),
        timeout_graceful_shutdown=5,
    )
