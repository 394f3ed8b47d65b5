"""Running the ASGI app with uvicorn: in a background thread (chat CLI, tests), in the
foreground (``yichuang serve``), or in several worker processes (``serve --workers N``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import uvicorn

log = logging.getLogger(__name__)

#: Import string of the app factory each worker process calls (``serve --workers N``).
WORKER_FACTORY = "bot.serving:worker_app"
#: Set by ``serve --workers N`` for its workers: a file whose lock names the one worker
#: that runs the recovery pass (bot.recovery), so two workers never re-run the same turn.
RECOVERY_LOCK_ENV = "YICHUANG_SERVE_RECOVERY_LOCK"
#: The recovery lock's open file in the worker that holds it (kept open for its lifetime).
_recovery_lock: IO[bytes] | None = None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve_in_thread(
    app: Any, host: str = "127.0.0.1", port: int | None = None, *, keep_logging: bool = False
) -> Iterator[str]:
    """Serve ``app`` on loopback until the block ends; yields its base URL.

    ``keep_logging=True`` leaves the process's logging as it is configured (uvicorn
    would otherwise install its own handlers for its loggers).
    """
    port = port or free_port(host)
    extra: dict[str, Any] = {"log_config": None} if keep_logging else {}
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            lifespan="on",
            proxy_headers=False,  # bot.client_address decides whom to believe
            timeout_graceful_shutdown=5,  # open event streams must not hold a restart
            **extra,
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


def serve_forever(
    app: Any, host: str, port: int, level: str, as_json: bool, *, workers: int = 1
) -> None:
    """Serve in the foreground with our logging (masked, optionally JSON) for uvicorn too.

    ``workers > 1``: ``app`` must be the import string of a factory (``WORKER_FACTORY``);
    uvicorn binds the socket once and runs that many processes, each building its own
    app from the environment, and restarts a worker that dies.
    """
    from bot.logs import logging_config

    if workers == 1:
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_config=logging_config(level, as_json=as_json),
            timeout_graceful_shutdown=5,
            proxy_headers=False,  # X-Forwarded-For: only from YICHUANG_TRUSTED_PROXIES
        )
        return
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        workers=workers,
        factory=True,
        log_config=logging_config(level, as_json=as_json),
        timeout_graceful_shutdown=5,
        proxy_headers=False,
    )
    # uvicorn binds the shared socket with protocol 0, so asyncio never sets TCP_NODELAY
    # on the connections the workers accept, and a response written in two parts waited
    # for the client's delayed ACK: +40 ms on every keep-alive request (RESULTS.md).
    # The same socket, declared as TCP, is inherited by the workers instead.
    bound = config.bind_socket()
    sock = socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())
    Multiprocess(config, sockets=[sock]).run()


def worker_app() -> Any:
    """The app of one ``serve --workers N`` process, built from the environment.

    ``serve`` sets ``YICHUANG_LOCAL_URL`` from ``--host``/``--port`` (and checks the
    configuration, migrates and trains the model) before it starts the workers.
    Only the worker holding the recovery lock runs the recovery pass.
    """
    from bot.app import create_app
    from bot.settings import Settings

    settings = Settings()
    if settings.recovery_interval_seconds > 0 and not _take_recovery_lock():
        settings = settings.model_copy(update={"recovery_interval_seconds": 0.0})
    return create_app(settings)


def _take_recovery_lock() -> bool:
    """True in the one worker that holds the lock file named by the environment (or no file)."""
    global _recovery_lock
    path = os.environ.get(RECOVERY_LOCK_ENV)
    if not path:
        return True
    import fcntl

    handle = open(path, "ab")  # noqa: SIM115 -- held open until the process ends
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return False
    _recovery_lock = handle
    log.info("this worker (pid %s) runs the recovery pass", os.getpid())
    return True
