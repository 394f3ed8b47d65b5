"""The desk login limit holds across processes and against forged X-Forwarded-For headers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.attempt_limits import LOGIN_ADDRESS
from bot.serving import serve_in_thread
from bot.storage.models import AttemptCounter
from tests.bot.desk.conftest import STAFF_PASSWORD, DeskServer, desk_app, serve_desk

WRONG = {"username": "lina", "password": "guess-1234"}
RIGHT = {"username": "lina", "password": STAFF_PASSWORD}


def _login(server: DeskServer, body: dict[str, str], forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    with server.client() as client:
        return client.post("/desk/login", json=body, headers=headers).status_code


def test_a_rotating_forwarded_for_header_buys_no_extra_tries(desk_server: DeskServer) -> None:
    codes = [_login(desk_server, WRONG, f"203.0.113.{i}") for i in range(5)]
    assert codes == [401] * 5
    assert _login(desk_server, RIGHT, "198.51.100.7") == 429  # the right password, refused


@pytest.fixture
def behind_proxy(tmp_path: Path) -> Iterator[DeskServer]:
    yield from serve_desk(tmp_path, trusted_proxies="127.0.0.1/32, 10.0.0.0/8")


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(
    behind_proxy: DeskServer,
) -> None:
    # The client wrote the left-most entry; the right-most untrusted one is the real address.
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"):
        assert _login(behind_proxy, WRONG, f"{forged}, 203.0.113.9, 10.1.2.3") == 401
    assert _login(behind_proxy, RIGHT, "203.0.113.9") == 429
    assert _login(behind_proxy, RIGHT, "203.0.113.10") == 200  # someone else behind the proxy


def test_the_login_counter_is_shared_by_every_process(desk_server: DeskServer) -> None:
    """A second app on the same database stands for a second worker process."""
    second_app = desk_app(desk_server.app.state.settings)
    second_app.state.desk_clock = desk_server.clock
    with serve_in_thread(second_app) as url:
        second = DeskServer(url, second_app, second_app.state.db, desk_server.clock)
        assert [_login(desk_server, WRONG) for _ in range(3)] == [401] * 3
        assert [_login(second, WRONG) for _ in range(2)] == [401] * 2
        assert _login(second, RIGHT) == 429
        assert _login(desk_server, RIGHT) == 429
        desk_server.clock.advance(minutes=5)
        assert _login(second, RIGHT) == 200
    second_app.state.db.dispose()
    with desk_server.database.session(readonly=True) as session:
        stored = set(session.scalars(select(AttemptCounter.key_hash)))
    assert not any("lina" in key or "127.0.0.1" in key for key in stored)


def test_one_address_trying_many_usernames_is_locked_out(desk_server: DeskServer) -> None:
    for i in range(LOGIN_ADDRESS.limit):
        assert _login(desk_server, {"username": f"user{i}", "password": "x"}) == 401
    with desk_server.client() as client:
        locked = client.post("/desk/login", json={"username": "admin", "password": STAFF_PASSWORD})
    assert locked.status_code == 429
    assert locked.json() == {"message": "登录失败次数过多，请 15 分钟后再试"}
