"""Accounts in a real SQLite store: validation, authentication, deactivation, sessions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.desk import accounts
from bot.storage.db import Database
from bot.storage.migrate import upgrade

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
IDLE = timedelta(minutes=30)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'accounts.db'}"
    upgrade(url)
    database = Database(url)
    yield database
    database.dispose()


def test_a_new_account_authenticates_only_with_its_password(database: Database) -> None:
    with database.session() as session:
        staff = accounts.add_staff(session, " 王芳 ", "long-password", "admin")
        assert (staff.username, staff.role, staff.active) == ("王芳", "admin", True)
    with database.session() as session:
        assert accounts.authenticate(session, "王芳", "long-password") is not None
        assert accounts.authenticate(session, "王芳", "long-passworD") is None
        assert accounts.authenticate(session, "nobody", "long-password") is None
        assert accounts.authenticate(session, "<script>", "long-password") is None


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("li", "1234567", "guide", "密码至少需要 8 个字符"),
        ("li", "x" * 257, "guide", "密码不能超过 256 个字符"),
        ("l", "long-password", "guide", "用户名应为"),
        ("li si", "long-password", "guide", "用户名应为"),
        ("li", "long-password", "root", "角色只能是"),
    ],
)
def test_bad_accounts_are_refused_in_chinese(
    database: Database, username: str, password: str, role: str, message: str
) -> None:
    with database.session() as session, pytest.raises(accounts.AccountError) as caught:
        accounts.add_staff(session, username, password, role)
    assert str(caught.value).startswith(message)


def test_a_username_is_taken_once(database: Database) -> None:
    with database.session() as session:
        accounts.add_staff(session, "li", "long-password")
    with database.session() as session, pytest.raises(accounts.DuplicateStaffError):
        accounts.add_staff(session, "li", "other-password")
    with database.session(readonly=True) as session:
        assert [s.username for s in accounts.list_staff(session)] == ["li"]


def test_sessions_expire_when_idle_or_old_and_end_on_deactivation(database: Database) -> None:
    with database.session() as session:
        staff = accounts.add_staff(session, "li", "long-password")
        token, csrf = accounts.start_session(session, staff, NOW)
    with database.session(readonly=True) as session:
        found = accounts.find_session(session, token)
    assert found is not None and found.username == "li" and found.csrf_token == csrf
    assert not found.expired(NOW + IDLE, IDLE)
    assert found.expired(NOW + IDLE + timedelta(seconds=1), IDLE)
    assert found.expired(NOW + accounts.ABSOLUTE_SESSION_LIFETIME * 2, timedelta(days=2))

    with database.session() as session:
        accounts.touch_session(session, found.id, NOW + timedelta(minutes=20))
    with database.session(readonly=True) as session:
        touched = accounts.find_session(session, token)
    assert touched is not None and not touched.expired(NOW + timedelta(minutes=45), IDLE)

    with database.session() as session:
        accounts.deactivate_staff(session, "li")
    with database.session(readonly=True) as session:
        assert accounts.find_session(session, token) is None
        assert accounts.authenticate(session, "li", "long-password") is None


def test_expired_sessions_are_purged(database: Database) -> None:
    with database.session() as session:
        staff = accounts.add_staff(session, "li", "long-password")
        old, _ = accounts.start_session(session, staff, NOW - timedelta(hours=1))
        fresh, _ = accounts.start_session(session, staff, NOW)
    with database.session() as session:
        assert accounts.purge_expired_sessions(session, now=NOW, idle=IDLE) == 1
    with database.session(readonly=True) as session:
        assert accounts.find_session(session, old) is None
        assert accounts.find_session(session, fresh) is not None
