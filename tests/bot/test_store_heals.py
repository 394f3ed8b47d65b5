"""The store heals (issue 13, item 6): while the SQLite file cannot be written /health says
503 and a message gets 503; once it can again, both answer without a restart.

Tests run as root in CI and root ignores file modes, so chmod cannot make the file
read-only. Two faults root cannot bypass stand in for it:

- ``chattr +i`` (the immutable flag; even root's open for writing fails with EPERM and
  SQLite falls back to a read-only connection, exactly as with a read-only file);
  skipped where the file system has no such flag (tmpfs, overlayfs), a failure under CI=true;
- ``PRAGMA query_only`` on every connection opened during the fault: such a connection
  refuses writes with SQLITE_READONLY for the rest of its life, as one opened on a
  read-only file does;
- disk full (``max_page_count``, as test_store_faults.py does): a message that needs new
  pages is refused, while /health's probe row, rewritten in place, still fits, so there
  only the message's 503 and the healing are asserted (a real full disk also refuses
  the probe's WAL frame).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, make_url

from bot.app import STORE_UNAVAILABLE, create_app
from bot.serving import free_port, serve_in_thread
from tests.bot.rest_live import live_settings
from tests.databases import fresh_schema_url
from tests.environment import unavailable
from tests.fakes.tcp_proxy import TcpProxy

Fault = Callable[[Any, Path], Any]


def post(url: str, text: str, message_id: str) -> httpx.Response:
    body = {"sender": "heal-1", "message": text, "metadata": {"message_id": message_id}}
    return httpx.post(f"{url}/webhooks/rest/webhook", json=body, timeout=30)


@contextmanager
def immutable(app: Any, path: Path) -> Iterator[None]:
    if shutil.which("chattr") is None:
        unavailable("chattr (e2fsprogs) is not installed")
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        unavailable("this file system has no immutable flag")
    try:
        app.state.db.engine.dispose()  # the pool's next connections open the file read-only
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@contextmanager
def on_connect(app: Any, pragma: Callable[[Any], str]) -> Iterator[None]:
    engine = app.state.db.engine

    def fault(connection: Any, _record: Any) -> None:
        connection.execute(pragma(connection))

    event.listen(engine, "connect", fault)
    try:
        engine.dispose()
        yield
    finally:
        event.remove(engine, "connect", fault)


def read_only(app: Any, _path: Path) -> Any:
    return on_connect(app, lambda _c: "PRAGMA query_only = 1")


def disk_full(app: Any, _path: Path) -> Any:
    def no_room(connection: Any) -> str:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        return f"PRAGMA max_page_count = {pages}"

    return on_connect(app, no_room)


@pytest.mark.parametrize("fault", [immutable, read_only, disk_full])
def test_unwritable_file_gives_503_then_heals_without_restart(
    tmp_path: Path, model_path: Path, fault: Fault
) -> None:
    port = free_port()
    path = tmp_path / "heal.db"
    settings = live_settings(tmp_path, model_path, port).model_copy(
        update={"database_url": f"sqlite:///{path}"}
    )
    app = create_app(settings)
    with serve_in_thread(app, port=port) as url:
        assert post(url, "你好", "m-heal-before").status_code == 200
        assert httpx.get(f"{url}/health").status_code == 200
        with fault(app, path):
            if fault is not disk_full:
                health = httpx.get(f"{url}/health")
                assert health.status_code == 503
                assert health.json()["writable"] is False and health.json()["status"] != "ok"
            refused = post(url, "我想问一下起诉的事情。" * 400, "m-heal-during")
            assert refused.status_code == 503
            assert refused.json() == {"message": STORE_UNAVAILABLE}
        # Fixed: no restart, no dispose; the very next request is served.
        health = httpx.get(f"{url}/health")
        assert health.status_code == 200, health.text
        assert health.json()["status"] == "ok" and health.json()["writable"] is True
        answered = post(url, "我想问一下起诉的事情。" * 400, "m-heal-during")
        assert answered.status_code == 200 and answered.json()


def test_postgres_health_follows_the_server_and_heals(tmp_path: Path, model_path: Path) -> None:
    """PostgreSQL behind a proxy that is cut and restored: /health 503, then 200 again, and
    the next message answered, with no restart (pool_pre_ping replaces broken connections)."""
    database = make_url(fresh_schema_url())
    proxy = TcpProxy(database.host or "127.0.0.1", int(database.port or 5432))
    proxy.up()
    url = database.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    port = free_port()
    settings = live_settings(tmp_path, model_path, port).model_copy(
        update={"database_url": url, "recovery_interval_seconds": 0}
    )
    try:
        with serve_in_thread(create_app(settings), port=port) as served:
            assert post(served, "你好", "m-pg-heal-1").status_code == 200
            assert httpx.get(f"{served}/health").json()["writable"] is True
            proxy.down()
            down = httpx.get(f"{served}/health", timeout=30)
            assert down.status_code == 503 and down.json()["writable"] is False
            proxy.up()
            health = httpx.get(f"{served}/health", timeout=30)
            assert health.status_code == 200 and health.json()["status"] == "ok"
            assert post(served, "诉讼费怎么算", "m-pg-heal-2").status_code == 200
    finally:
        proxy.down()
