"""Staff login over real HTTP: cookies, CSRF, rate limit, idle and absolute expiry, logout."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.desk.accounts import hash_password, verify_password
from bot.storage.models import AuditEvent, StaffSession
from tests.bot.desk.conftest import STAFF_PASSWORD, DeskServer, serve_desk


def _set_cookie(response: httpx.Response) -> str:
    return response.headers.get("set-cookie", "")


def test_password_is_stored_as_a_salted_argon2id_hash() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith("$argon2id$") and "correct horse" not in first
    assert first != second  # a fresh salt each time
    assert verify_password(first, "correct horse")
    assert not verify_password(first, "correct horsE")
    assert not verify_password("not a hash", "correct horse")


def test_login_sets_a_locked_down_cookie_and_me_answers(desk_server: DeskServer) -> None:
    client = desk_server.client()
    response = client.post("/desk/login", json={"username": "lina", "password": STAFF_PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "lina" and body["role"] == "guide" and body["csrf_token"]
    cookie = _set_cookie(response).lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/desk" in cookie
    assert "secure" not in cookie  # plain http on loopback
    me = client.get("/desk/api/me")
    assert me.status_code == 200
    assert me.json() == {"username": "lina", "role": "guide", "csrf_token": body["csrf_token"]}


def test_only_a_hash_of_the_session_token_is_stored(desk_server: DeskServer) -> None:
    client = desk_server.login("lina")
    token = client.cookies["yichuang_desk"]
    with desk_server.database.session(readonly=True) as session:
        stored = session.scalars(select(StaffSession.token_hash)).all()
    assert token not in stored
    assert hashlib.sha256(token.encode()).hexdigest() in stored


def test_login_from_a_form_works_too(desk_server: DeskServer) -> None:
    client = desk_server.client()
    response = client.post("/desk/login", data={"username": "admin", "password": STAFF_PASSWORD})
    assert response.status_code == 200
    assert client.get("/desk/api/me").json()["role"] == "admin"


def test_cookie_is_secure_when_the_request_came_over_https(tmp_path: Path) -> None:
    # X-Forwarded-Proto is believed from a proxy in YICHUANG_TRUSTED_PROXIES only.
    with contextmanager(serve_desk)(tmp_path, trusted_proxies="127.0.0.1") as desk_server:
        response = desk_server.client().post(
            "/desk/login",
            json={"username": "lina", "password": STAFF_PASSWORD},
            headers={"X-Forwarded-Proto": "https"},
        )
    assert response.status_code == 200
    assert "secure" in _set_cookie(response).lower()


def test_a_forwarded_proto_from_an_untrusted_peer_is_ignored(desk_server: DeskServer) -> None:
    response = desk_server.client().post(
        "/desk/login",
        json={"username": "lina", "password": STAFF_PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert response.status_code == 200
    assert "secure" not in _set_cookie(response).lower()


@pytest.mark.parametrize(
    ("username", "password"),
    [("lina", "wrong-password"), ("nobody", STAFF_PASSWORD), ("LINA", STAFF_PASSWORD)],
)
def test_wrong_credentials_are_refused_with_one_message(
    desk_server: DeskServer, username: str, password: str
) -> None:
    client = desk_server.client()
    response = client.post("/desk/login", json={"username": username, "password": password})
    assert response.status_code == 401
    assert response.json() == {"message": "用户名或密码不正确"}
    assert "set-cookie" not in response.headers
    assert client.get("/desk/api/me").status_code == 401


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b'["lina"]', b'{"username": "lina"}', b'{"username": 1, "password": 2}'],
)
def test_a_malformed_login_gets_a_chinese_answer(desk_server: DeskServer, body: bytes) -> None:
    response = desk_server.client().post(
        "/desk/login", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"message": "请填写用户名和密码"}


def test_login_from_another_site_is_refused(desk_server: DeskServer) -> None:
    response = desk_server.client().post(
        "/desk/login",
        json={"username": "lina", "password": STAFF_PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert "set-cookie" not in response.headers
    # A browser on the desk's own page sends its own origin.
    own = desk_server.client().post(
        "/desk/login",
        json={"username": "lina", "password": STAFF_PASSWORD},
        headers={"Origin": desk_server.url},
    )
    assert own.status_code == 200


def test_five_failures_lock_the_username_for_five_minutes(desk_server: DeskServer) -> None:
    client = desk_server.client()
    for _ in range(5):
        wrong = client.post("/desk/login", json={"username": "lina", "password": "guess-1234"})
        assert wrong.status_code == 401
    locked = client.post("/desk/login", json={"username": "lina", "password": STAFF_PASSWORD})
    assert locked.status_code == 429
    assert locked.json() == {"message": "登录失败次数过多，请 5 分钟后再试"}
    assert 0 < int(locked.headers["Retry-After"]) <= 300
    # Another account from the same address is not locked out.
    other = client.post("/desk/login", json={"username": "admin", "password": STAFF_PASSWORD})
    assert other.status_code == 200
    desk_server.clock.advance(minutes=5, seconds=1)
    again = client.post("/desk/login", json={"username": "lina", "password": STAFF_PASSWORD})
    assert again.status_code == 200


def test_a_success_clears_earlier_failures(desk_server: DeskServer) -> None:
    client = desk_server.client()
    for _ in range(4):
        client.post("/desk/login", json={"username": "lina", "password": "guess-1234"})
    assert desk_server.login("lina")
    for _ in range(4):
        wrong = client.post("/desk/login", json={"username": "lina", "password": "guess-1234"})
        assert wrong.status_code == 401


def test_session_expires_after_thirty_idle_minutes(desk_server: DeskServer) -> None:
    client = desk_server.login("lina")
    desk_server.clock.advance(minutes=29)
    assert client.get("/desk/api/me").status_code == 200  # use keeps it alive
    desk_server.clock.advance(minutes=29)
    assert client.get("/desk/api/me").status_code == 200
    desk_server.clock.advance(minutes=31)
    expired = client.get("/desk/api/me")
    assert expired.status_code == 401
    assert expired.json() == {"message": "登录已过期，请重新登录"}
    # The session is gone for good, not only for this request.
    desk_server.clock.advance(seconds=1)
    assert client.get("/desk/api/me").json() == {"message": "请先登录"}


def test_session_ends_twelve_hours_after_login_even_when_busy(desk_server: DeskServer) -> None:
    client = desk_server.login("lina")
    for _ in range(35):  # every 20 minutes until 11 h 40 min
        desk_server.clock.advance(minutes=20)
        assert client.get("/desk/api/me").status_code == 200
    desk_server.clock.advance(minutes=20, seconds=1)  # 12 h after login
    assert client.get("/desk/api/me").status_code == 401


@pytest.fixture
def short_idle_server(tmp_path: Path) -> Iterator[DeskServer]:
    yield from serve_desk(tmp_path, desk_idle_minutes=5)


def test_idle_period_comes_from_the_setting(short_idle_server: DeskServer) -> None:
    client = short_idle_server.login("lina")
    short_idle_server.clock.advance(minutes=4)
    assert client.get("/desk/api/me").status_code == 200
    short_idle_server.clock.advance(minutes=6)
    assert client.get("/desk/api/me").status_code == 401


def test_no_or_forged_cookie_is_not_logged_in(desk_server: DeskServer) -> None:
    client = desk_server.client()
    assert client.get("/desk/api/me").json() == {"message": "请先登录"}
    client.cookies.set("yichuang_desk", "forged-token-value")
    assert client.get("/desk/api/me").status_code == 401


def test_logout_needs_the_csrf_token_and_ends_the_session(desk_server: DeskServer) -> None:
    client = desk_server.login("lina")
    token = client.cookies["yichuang_desk"]
    csrf = client.headers.pop("X-CSRF-Token")
    refused = client.post("/desk/logout")
    assert refused.status_code == 403
    assert "刷新页面" in refused.json()["message"]
    assert client.post("/desk/logout", headers={"X-CSRF-Token": "x" + csrf}).status_code == 403
    assert client.get("/desk/api/me").status_code == 200  # still logged in

    done = client.post("/desk/logout", headers={"X-CSRF-Token": csrf})
    assert done.status_code == 200
    assert 'yichuang_desk=""' in _set_cookie(done) or "max-age=0" in _set_cookie(done).lower()
    replay = desk_server.client()
    replay.cookies.set("yichuang_desk", token)
    assert replay.get("/desk/api/me").status_code == 401
    with desk_server.database.session(readonly=True) as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.actor == "lina"))
        assert list(actions) == ["desk_login", "desk_logout"]


def test_logout_without_a_session_is_401(desk_server: DeskServer) -> None:
    response = desk_server.client().post("/desk/logout", headers={"X-CSRF-Token": "anything"})
    assert response.status_code == 401
