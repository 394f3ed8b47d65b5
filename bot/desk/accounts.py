"""Staff accounts and their login sessions, in the database.

Passwords are kept only as argon2id hashes (argon2-cffi's defaults, which
follow RFC 9106). A session's cookie token is random and stored only as its
SHA-256, so a copy of the database cannot be replayed as a login.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.db import rows_changed
from bot.storage.models import STAFF_ROLES, Staff, StaffSession, utcnow

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
#: Letters (Chinese too), digits, ``_ . -``; what appears in the audit trail.
_USERNAME = re.compile(r"^[\w.-]{2,64}$")
#: A session ends this long after login even when it is used all day.
ABSOLUTE_SESSION_LIFETIME = timedelta(hours=12)
#: last_seen_at is written at most this often, so reads do not all become writes.
_TOUCH_EVERY = timedelta(seconds=30)

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Checked when the username is unknown, so a miss costs as long as a wrong password.

    Made on first use: an argon2 hash takes a good part of a second at start-up.
    """
    return _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A request about accounts that cannot be met; the message is one Chinese line."""


class DuplicateStaffError(AccountError):
    """The username is taken."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches; False for a wrong password or a damaged hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_username(username: str) -> str:
    username = username.strip()
    if not _USERNAME.match(username):
        raise AccountError("用户名应为 2-64 个字母、汉字、数字或 _ . -")
    return username


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"密码不能超过 {MAX_PASSWORD_LENGTH} 个字符")
    return password


def check_role(role: str) -> str:
    if role not in STAFF_ROLES:
        raise AccountError("角色只能是 guide（导诉员）或 admin（管理员）")
    return role


def find_staff(session: Session, username: str) -> Staff | None:
    return session.scalar(select(Staff).where(Staff.username == username.strip()))


def add_staff(session: Session, username: str, password: str, role: str = "guide") -> Staff:
    """A new active account; AccountError (DuplicateStaffError) when it cannot be made."""
    username = check_username(username)
    check_password(password)
    check_role(role)
    if find_staff(session, username) is not None:
        raise DuplicateStaffError(f"用户名已存在：{username}")
    staff = Staff(username=username, password_hash=hash_password(password), role=role)
    try:
        with session.begin_nested():
            session.add(staff)
            session.flush()
    except IntegrityError as exc:  # lost a race with another writer
        raise DuplicateStaffError(f"用户名已存在：{username}") from exc
    return staff


def list_staff(session: Session) -> list[Staff]:
    return list(session.scalars(select(Staff).order_by(Staff.username)))


def deactivate_staff(session: Session, username: str) -> Staff:
    """Disable the account and end its sessions; the row stays for the audit trail."""
    staff = find_staff(session, username)
    if staff is None:
        raise AccountError(f"没有这个工作人员：{username}")
    staff.active = False
    session.execute(delete(StaffSession).where(StaffSession.staff_id == staff.id))
    session.flush()
    return staff


def authenticate(session: Session, username: str, password: str) -> Staff | None:
    """The active account these credentials belong to, else None."""
    staff = find_staff(session, username) if _USERNAME.match(username.strip()) else None
    if staff is None:
        verify_password(_dummy_hash(), password)
        return None
    if not verify_password(staff.password_hash, password) or not staff.active:
        return None
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    return staff


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class OpenSession:
    """A stored session with its account, read without taking the write lock."""

    id: int
    staff_id: int
    username: str
    role: str
    active: bool
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime

    def expired(self, now: datetime, idle: timedelta) -> bool:
        return (
            not self.active
            or now - self.last_seen_at > idle
            or now - self.created_at > ABSOLUTE_SESSION_LIFETIME
        )

    def needs_touch(self, now: datetime) -> bool:
        """True when last_seen_at is old enough to be worth a write."""
        return now - self.last_seen_at > _TOUCH_EVERY


def start_session(session: Session, staff: Staff, now: datetime | None = None) -> tuple[str, str]:
    """A new session for ``staff``: (cookie token, CSRF token)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=_token_hash(token),
            staff_id=staff.id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
        )
    )
    session.flush()
    return token, csrf


def find_session(session: Session, token: str) -> OpenSession | None:
    """The session behind a cookie token, expired or not."""
    row = session.execute(
        select(StaffSession, Staff)
        .join(Staff, Staff.id == StaffSession.staff_id)
        .where(StaffSession.token_hash == _token_hash(token))
    ).first()
    if row is None:
        return None
    record, staff = row
    return OpenSession(
        id=record.id,
        staff_id=staff.id,
        username=staff.username,
        role=staff.role,
        active=staff.active,
        csrf_token=record.csrf_token,
        created_at=record.created_at,
        last_seen_at=record.last_seen_at,
    )


def touch_session(session: Session, session_id: int, now: datetime) -> None:
    session.execute(
        update(StaffSession).where(StaffSession.id == session_id).values(last_seen_at=now)
    )


def delete_session(session: Session, session_id: int) -> None:
    session.execute(delete(StaffSession).where(StaffSession.id == session_id))


def end_session(session: Session, token: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))


def purge_expired_sessions(session: Session, *, now: datetime, idle: timedelta) -> int:
    """Delete sessions no cookie can use any more; returns how many."""
    result = session.execute(
        delete(StaffSession).where(
            (StaffSession.last_seen_at < now - idle)
            | (StaffSession.created_at < now - ABSOLUTE_SESSION_LIFETIME)
        )
    )
    return rows_changed(result)


def count_admins(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(Staff).where(Staff.role == "admin", Staff.active)
        )
        or 0
    )
