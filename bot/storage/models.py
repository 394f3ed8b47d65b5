"""The conversation store's tables: conversations, their messages, and an audit trail.

Enumerations are short strings guarded by CHECK constraints rather than
database ENUM types, so adding a value is a one-line migration on SQLite and
PostgreSQL alike. Every constraint has a stable name (the naming convention),
which SQLite batch migrations need to find it again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Channels that exist today; the column is open so a new channel needs no migration.
CHANNELS = ("rest", "webchat", "wechat", "telegram")
#: bot = the assistant answers; handoff = waiting in the desk queue;
#: human = a staff member owns it; closed = ended by staff or by the litigant.
STATUSES = ("bot", "handoff", "human", "closed")
DIRECTIONS = ("in", "out")
SENDER_KINDS = ("user", "bot", "staff")
#: The largest value an INTEGER column holds on every database (PostgreSQL's is 32-bit):
#: ids and message numbers from a URL are checked against it before any query.
MAX_INTEGER = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python on every database.

    SQLite has no time zone type: values are stored as UTC and come back with
    ``tzinfo=UTC``. Naive datetimes are refused, since their zone is a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware value")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: JSON(none_as_null=True),
    }


class Conversation(Base):
    """One litigant on one channel; holds the dialog state between turns."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("channel", "sender_id"),
        CheckConstraint(_one_of("status", STATUSES), name="status"),
        # The desk queue: waiting conversations, oldest first.
        Index(None, "status", "handoff_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    sender_id: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="bot")
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    assignee: Mapped[str | None] = mapped_column(String(64))
    handoff_reason: Mapped[str | None] = mapped_column(Text)
    handoff_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: The seq the next message gets; bumped atomically (see turns.record_inbound).
    next_seq: Mapped[int] = mapped_column(default=1)

    def __repr__(self) -> str:
        return f"<Conversation {self.id} {self.channel}:{self.sender_id} {self.status}>"


class Message(Base):
    """One message in or out, numbered in the order the litigant sees them."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        # NULLs are distinct in a unique constraint (SQLite and PostgreSQL), so
        # this dedupes platform ids only where a platform gave one.
        UniqueConstraint("conversation_id", "external_id"),
        CheckConstraint(_one_of("direction", DIRECTIONS), name="direction"),
        CheckConstraint(
            "(direction = 'in' AND sender_kind = 'user')"
            " OR (direction = 'out' AND sender_kind IN ('bot', 'staff'))",
            name="sender_kind",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    seq: Mapped[int]
    direction: Mapped[str] = mapped_column(String(3))
    sender_kind: Mapped[str] = mapped_column(String(8))
    #: Masked with bot.privacy.mask_pii before it is stored.
    text: Mapped[str | None] = mapped_column(Text)
    #: Outbound: buttons and image, as the channels render them.
    payload: Mapped[dict[str, Any] | None]
    #: Inbound: the NLU parse result, personal numbers masked.
    parse: Mapped[dict[str, Any] | None]
    external_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Outbound: the inbound message this reply answers; NULL for a staff reply or notice.
    reply_to: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    #: Inbound: when its answer was stored; NULL while a turn is owed (recovery looks here).
    answered_at: Mapped[datetime | None] = mapped_column(index=True)
    #: Inbound: the unmasked text, kept only until the message is answered, so a
    #: recovered turn sees what the litigant wrote. Cleared with the answer.
    pending_text: Mapped[str | None] = mapped_column(Text)
    #: Push channels: how many rendered parts of this delivery reached the platform.
    #: A delivery is an inbound message's answer (tracked on the inbound row) or a
    #: reply that answers nothing in particular (tracked on itself).
    sent_parts: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Push channels: when the whole delivery reached the platform (or was given up).
    delivered_at: Mapped[datetime | None] = mapped_column(index=True)

    @property
    def buttons(self) -> list[dict[str, str]]:
        return list((self.payload or {}).get("buttons", []))

    @property
    def image(self) -> str | None:
        image = (self.payload or {}).get("image")
        return image if isinstance(image, str) else None

    def __repr__(self) -> str:
        return f"<Message {self.conversation_id}#{self.seq} {self.direction}>"


class AuditEvent(Base):
    """Who did what to a conversation: handoffs now, desk actions later."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Kept (set to NULL) when the conversation is purged: the trail outlives the chat.
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), index=True
    )
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} by {self.actor}>"


# --- The guide desk (migration 0002) ---------------------------------------

#: guide = works the queue; admin = also manages staff and the court's desk data.
STAFF_ROLES = ("guide", "admin")


class Staff(Base):
    """A guide-desk account; only the password's argon2 hash is kept."""

    __tablename__ = "staff"
    __table_args__ = (CheckConstraint(_one_of("role", STAFF_ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="guide")
    #: Deactivated accounts stay, so the audit trail keeps naming a real person.
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Staff {self.username} {self.role}>"


class StaffSession(Base):
    """A logged-in browser; the cookie's token is stored only as its SHA-256."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class CannedAnswer(Base):
    """A reply text the staff pick instead of typing it again."""

    __tablename__ = "canned_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Rating(Base):
    """The litigant's 1-5 score after a human chat closed."""

    __tablename__ = "ratings"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[int]
    staff_username: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Callback(Base):
    """A phone number left out of hours; full digits, shown masked outside the claimed chat."""

    __tablename__ = "callbacks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    phone: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]


class DeskSetting(Base):
    """Court-configurable desk data edited by admins (e.g. business hours)."""

    __tablename__ = "desk_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)


# --- Hardening (migration 0004) --------------------------------------------


class WebchatSession(Base):
    """A web chat browser: its sender id and only the SHA-256 of its secret credential."""

    __tablename__ = "webchat_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AttemptCounter(Base):
    """Failed attempts (logins, proofs) under one hashed key, shared by every process.

    ``scope`` names the limit (e.g. ``desk_login``, ``proof_case``); ``key_hash`` is a
    keyed hash of what is counted (username, address, case number), never the value.
    A row is worthless after ``expires_at`` and may be deleted by anyone.
    """

    __tablename__ = "attempt_counters"

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class HealthProbe(Base):
    """One row that ``GET /health`` rewrites, to prove the store can be written."""

    __tablename__ = "health_probe"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
