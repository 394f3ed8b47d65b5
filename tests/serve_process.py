"""A real ``yichuang serve`` subprocess on a loopback port, for tests that kill or fork it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).parents[1]


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@contextmanager
def serve_process(
    tmp_path: Path,
    model_path: Path,
    port: int,
    *,
    database_url: str,
    args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    log: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """``yichuang serve --port PORT ARGS`` until it answers /health; stopped on exit."""
    environment = {
        **os.environ,
        "YICHUANG_DATABASE_URL": database_url,
        "YICHUANG_NLU_MODEL_PATH": str(model_path),
        "YICHUANG_CONFIG_DIR": str(ROOT / "config"),
        "YICHUANG_BUSINESS_HOURS": "Mon-Sun 00:00-23:59",
        **(env or {}),
    }
    command = [sys.executable, "-m", "bot.cli.main", "serve", "--port", str(port), *args]
    with open(log or os.devnull, "wb") as stderr:
        process = subprocess.Popen(
            command, cwd=tmp_path, env=environment, stdout=subprocess.DEVNULL, stderr=stderr
        )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        tail = log.read_text()[-2000:] if log is not None else ""
        assert process.poll() is None, f"the server exited: {tail}"
        try:
            return httpx.get(f"{url}/health", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for(up, 90, "the server")
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
