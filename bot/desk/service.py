"""What guide staff do to a conversation, as functions over one Session (the caller commits).

Ownership changes are single conditional UPDATEs (``... WHERE status = 'handoff'``),
so two staff members claiming at once cannot both win on any database: the
second UPDATE matches no row. Every action leaves an audit row with the staff
member's username (actor) and id. Errors are ``DeskError`` with an HTTP status
and a Chinese message the desk shows as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.desk.auth import StaffUser
from bot.storage import repo
from bot.storage.db import rows_changed
from bot.storage.masking import mask_number, mask_text
from bot.storage.models import (
    AuditEvent,
    Callback,
    Conversation,
    Message,
    Rating,
    Staff,
    utcnow,
)
from knowledge.intents import INTENT_LABELS

#: What the litigant reads when staff end the chat; the buttons rate the service.
CLOSING_TEXT = "人工服务已结束，智能助手继续为您服务。请为本次服务打分：1-5分"
RATING_INTENT = "thanks"
SCORES = range(1, 6)
#: Keys of the handoff summary the dialogs write (dialogs.engine.DialogEngine.handoff).
SUMMARY_KEYS = ("intent", "confidence", "topic", "form", "slots", "entities", "facts")
#: Bot answers shown with the summary, so staff know what the litigant was already told.
ANSWERS_SHOWN = 3
OPEN = ("handoff", "human")


class DeskError(Exception):
    """A refused desk action: ``status_code`` for HTTP, ``message`` in Chinese."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


@dataclass(frozen=True)
class Closed:
    conversation: Conversation
    notice: Message


def rating_payload(score: int) -> str:
    """The button payload of one rating: the dialogs accept it as ``thanks``."""
    return f'/{RATING_INTENT}{{"rating":{score}}}'


def _load(session: Session, conversation_id: int) -> Conversation:
    session.expire_all()  # see what the UPDATE just wrote, not a cached row
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise DeskError(404, "没有这个对话（可能已按保存期限清除）")
    return conversation


def _audit(
    session: Session,
    conversation: Conversation,
    staff: StaffUser,
    action: str,
    **detail: Any,
) -> AuditEvent:
    return repo.add_audit(
        session,
        conversation=conversation,
        actor=staff.username,
        action=action,
        detail={"staff_id": staff.id, **detail},
    )


def _changed(result: Any) -> bool:
    return rows_changed(result) == 1


def _seconds(later: datetime, earlier: datetime | None) -> int | None:
    return None if earlier is None else max(0, int((later - earlier).total_seconds()))


def _refuse_not_yours(conversation: Conversation, staff: StaffUser) -> DeskError:
    """Why ``staff`` may not act on a chat they do not hold."""
    if conversation.status == "handoff":
        return DeskError(409, "请先接手该对话")
    if conversation.status == "human":
        return DeskError(409, f"该对话已由 {conversation.assignee} 接手")
    return DeskError(409, "该对话已结束，智能助手已接回")


# --- reading -----------------------------------------------------------------


def _latest(session: Session, conversation_id: int, action: str) -> AuditEvent | None:
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.conversation_id == conversation_id, AuditEvent.action == action)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).one_or_none()


def summary(session: Session, conversation_id: int) -> dict[str, Any]:
    """What the bot learned before the handoff (its last answers included)."""
    event = repo.latest_handoff(session, conversation_id=conversation_id)
    if event is None:
        return {}
    found = {key: event.detail.get(key) for key in SUMMARY_KEYS if key in event.detail}
    intent = found.get("intent")
    if isinstance(intent, str):
        found["intent_label"] = INTENT_LABELS.get(intent, intent)
    told = list(
        session.scalars(
            select(Message.text)
            .where(
                Message.conversation_id == conversation_id,
                Message.sender_kind == "bot",
                Message.created_at <= event.created_at,
                Message.text.is_not(None),
            )
            .order_by(Message.seq.desc())
            .limit(ANSWERS_SHOWN + 1)
        )
    )
    # The newest is the handoff notice itself ("已为您转接人工导诉员").
    found["answered"] = [text for text in reversed(told[1:]) if text]
    return found


def open_callback(session: Session, conversation_id: int) -> Callback | None:
    return session.scalars(
        select(Callback)
        .where(Callback.conversation_id == conversation_id, Callback.done_at.is_(None))
        .order_by(Callback.id.desc())
        .limit(1)
    ).one_or_none()


def _callback_view(callback: Callback | None, *, full: bool) -> dict[str, Any] | None:
    if callback is None:
        return None
    return {
        "phone": callback.phone if full else mask_number(callback.phone, "phone"),
        "note": callback.note,
        "at": callback.created_at.isoformat(),
    }


def queue(session: Session, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Waiting chats first (longest wait first), then the ones staff hold."""
    now = now or utcnow()
    items = []
    for status in OPEN:
        for conversation in repo.conversations_with_status(session, status=status):
            items.append(
                {
                    "conversation_id": conversation.id,
                    "channel": conversation.channel,
                    "status": conversation.status,
                    "assignee": conversation.assignee,
                    "waiting_seconds": _seconds(now, conversation.handoff_at) or 0,
                    "reason": conversation.handoff_reason,
                    "summary": summary(session, conversation.id),
                    "callback": _callback_view(open_callback(session, conversation.id), full=False),
                }
            )
    return items


def _may_read(session: Session, conversation: Conversation, staff: StaffUser) -> bool:
    """Open desk chats for everyone; a closed one for the person who closed it and admins."""
    if conversation.status in OPEN or staff.role == "admin":
        return True
    closed = _latest(session, conversation.id, "desk_close")
    return closed is not None and closed.actor == staff.username


def conversation_view(
    session: Session, *, conversation_id: int, staff: StaffUser, now: datetime | None = None
) -> dict[str, Any]:
    """The transcript and summary; the call-back number in full only for the chat's holder."""
    now = now or utcnow()
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not _may_read(session, conversation, staff):
        raise DeskError(404, "没有这个对话，或它已不在导诉台")
    authors = {
        event.detail.get("seq"): event.actor
        for event in repo.audit_trail(session, conversation_id=conversation_id)
        if event.action == "desk_reply"
    }
    messages = []
    for message in repo.transcript(session, conversation_id=conversation_id):
        item: dict[str, Any] = {
            "seq": message.seq,
            "direction": message.direction,
            "sender": message.sender_kind,
            "text": message.text,
            "at": message.created_at.isoformat(),
        }
        if message.image:
            item["image"] = message.image
        if message.sender_kind == "staff":
            item["staff"] = authors.get(message.seq)
        messages.append(item)
    holder = conversation.status == "human" and conversation.assignee == staff.username
    return {
        "conversation_id": conversation.id,
        "channel": conversation.channel,
        "status": conversation.status,
        "assignee": conversation.assignee,
        "reason": conversation.handoff_reason,
        "waiting_seconds": _seconds(now, conversation.handoff_at) or 0,
        "summary": summary(session, conversation.id),
        "messages": messages,
        "callback": _callback_view(open_callback(session, conversation.id), full=holder),
    }


# --- acting ------------------------------------------------------------------


def claim(session: Session, *, conversation_id: int, staff: StaffUser) -> Conversation:
    """Take a waiting chat; 409 when someone else already has it."""
    now = utcnow()
    won = _changed(
        session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.status == "handoff")
            .values(status="human", assignee=staff.username, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    )
    conversation = _load(session, conversation_id)
    if not won:
        if conversation.status == "human" and conversation.assignee == staff.username:
            return conversation  # a second click of one's own claim
        if conversation.status == "human":
            raise DeskError(409, f"已被其他工作人员接手（{conversation.assignee}）")
        raise DeskError(409, "该对话已不在等待队列中")
    _audit(
        session,
        conversation,
        staff,
        "desk_claim",
        waited_seconds=_seconds(now, conversation.handoff_at),
    )
    return conversation


def _held(session: Session, conversation_id: int, staff: StaffUser) -> Conversation:
    """The conversation, locked, if ``staff`` holds it (admins may act on any open chat)."""
    conversation = session.get(Conversation, conversation_id, with_for_update=True)
    if conversation is None:
        raise DeskError(404, "没有这个对话（可能已按保存期限清除）")
    if conversation.status == "human" and conversation.assignee == staff.username:
        return conversation
    if staff.role == "admin" and conversation.status in OPEN:
        return conversation
    raise _refuse_not_yours(conversation, staff)


def reply(session: Session, *, conversation_id: int, staff: StaffUser, text: str) -> Message:
    """A staff message for the litigant: stored as outbound, so every channel can fetch it."""
    text = text.strip()
    if not text:
        raise DeskError(400, "回复内容不能为空")
    conversation = session.get(Conversation, conversation_id, with_for_update=True)
    if conversation is None:
        raise DeskError(404, "没有这个对话（可能已按保存期限清除）")
    if conversation.status != "human" or conversation.assignee != staff.username:
        raise _refuse_not_yours(conversation, staff)
    message = repo.add_outbound(
        session, conversation=conversation, text=text, payload=None, sender_kind="staff"
    )
    _audit(session, conversation, staff, "desk_reply", seq=message.seq)
    return message


def transfer(session: Session, *, conversation_id: int, staff: StaffUser, to: str) -> Conversation:
    """Hand a held chat to an active colleague."""
    to = to.strip()
    target = session.scalars(
        select(Staff).where(Staff.username == to, Staff.active.is_(True))
    ).one_or_none()
    if target is None:
        raise DeskError(400, f"没有这位在岗的工作人员：{to}")
    conversation = _held(session, conversation_id, staff)
    previous = conversation.assignee
    if previous == target.username:
        raise DeskError(400, "对话已在这位工作人员手中")
    conversation.status = "human"
    conversation.assignee = target.username
    session.flush()
    _audit(
        session,
        conversation,
        staff,
        "desk_transfer",
        previous_assignee=previous,
        to=target.username,
        to_staff_id=target.id,
    )
    return conversation


def close(session: Session, *, conversation_id: int, staff: StaffUser) -> Closed:
    """End the human chat: the bot owns it again and asks the litigant for a rating."""
    from dialogs.replies import Button

    conversation = _held(session, conversation_id, staff)
    now = utcnow()
    handoff = repo.latest_handoff(session, conversation_id=conversation_id)
    first_claim = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.conversation_id == conversation_id,
            AuditEvent.action == "desk_claim",
            AuditEvent.id > (handoff.id if handoff else 0),
        )
        .order_by(AuditEvent.id)
        .limit(1)
    ).one_or_none()
    previous = conversation.assignee
    conversation.status = "bot"
    conversation.assignee = None
    conversation.handoff_at = None
    conversation.handoff_reason = None
    for callback in session.scalars(
        select(Callback).where(
            Callback.conversation_id == conversation_id, Callback.done_at.is_(None)
        )
    ):
        callback.done_at = now
    buttons = [Button(f"{n}分", rating_payload(n)) for n in SCORES]
    notice = repo.add_outbound(
        session,
        conversation=conversation,
        text=CLOSING_TEXT,
        payload={"buttons": [{"title": b.title, "payload": b.payload} for b in buttons]},
    )
    _audit(
        session,
        conversation,
        staff,
        "desk_close",
        assignee=previous,
        handled_seconds=_seconds(now, first_claim.created_at if first_claim else None),
    )
    return Closed(conversation, notice)


# --- the litigant's side (called from bot.conversation) ----------------------


def rating_in(parse: dict[str, Any]) -> int | None:
    """The score of a rating button (``/thanks{"rating": N}``), or None."""
    if (parse.get("intent") or {}).get("name") != RATING_INTENT:
        return None
    for entity in parse.get("entities") or []:
        if isinstance(entity, dict) and entity.get("entity") == "rating":
            try:
                score = int(entity.get("value"))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return None
            return score if score in SCORES else None
    return None


def record_rating(session: Session, conversation_id: int, score: int) -> Rating | None:
    """Store the litigant's 1–5 rating of the last human chat; once per closed chat.

    None (nothing stored) when the score is out of range, no staff member
    closed a chat here, or this chat was rated already.
    """
    if score not in SCORES:
        return None
    closed = _latest(session, conversation_id, "desk_close")
    if closed is None:
        return None
    already = session.scalar(
        select(Rating.id).where(
            Rating.conversation_id == conversation_id, Rating.created_at >= closed.created_at
        )
    )
    if already is not None:
        return None
    assignee = closed.detail.get("assignee")
    rating = Rating(
        conversation_id=conversation_id,
        score=score,
        staff_username=assignee if isinstance(assignee, str) else closed.actor,
    )
    session.add(rating)
    session.flush()
    return rating


def maybe_record_callback(
    session: Session, *, conversation: Conversation, parse: dict[str, Any]
) -> Callback | None:
    """A queued litigant left a mobile number: keep it (in full) for a call-back.

    Only while the chat waits in the queue (``handoff``); the message text is
    kept, masked, as the note. A second number replaces the first.
    """
    if conversation.status != "handoff":
        return None
    phones = [
        "".join(ch for ch in str(e.get("value", "")) if ch.isdigit())
        for e in parse.get("entities") or []
        if isinstance(e, dict) and e.get("entity") == "phone"
    ]
    phone = next((p for p in phones if len(p) == 11), None)
    if phone is None:
        return None
    text = parse.get("text")
    note = mask_text(text, parse)[:500] if isinstance(text, str) else None
    callback = open_callback(session, conversation.id)
    if callback is None:
        callback = Callback(conversation_id=conversation.id, phone=phone, note=note)
        session.add(callback)
    else:
        callback.phone, callback.note = phone, note
    session.flush()
    repo.add_audit(
        session,
        conversation=conversation,
        actor="user",
        action="callback_left",
        detail={"phone": mask_number(phone, "phone")},
    )
    return callback


def callback_ack(callback: Callback) -> str:
    """What the bot may answer when a number was kept (the chat stays queued)."""
    return (
        f"已记下您的回电号码 {mask_number(callback.phone, 'phone')}，导诉员上班后会尽快与您联系。"
    )


# --- the chart -----------------------------------------------------------------


def daily_stats(
    session: Session, *, days: int, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Per court-local day, oldest first: handoffs, closed chats, waits, handling, ratings."""
    from nlu.pipeline import COURT_TZ

    now = (now or utcnow()).astimezone(COURT_TZ)
    first_day = now.date() - timedelta(days=days - 1)
    since = datetime.combine(first_day, datetime.min.time(), COURT_TZ)
    rows: dict[str, dict[str, list[float]]] = {
        (first_day + timedelta(days=n)).isoformat(): {
            "handoffs": [],
            "closed": [],
            "wait": [],
            "handling": [],
            "ratings": [],
        }
        for n in range(days)
    }

    def day_of(moment: datetime) -> dict[str, list[float]] | None:
        return rows.get(moment.astimezone(COURT_TZ).date().isoformat())

    events = session.scalars(
        select(AuditEvent).where(
            AuditEvent.created_at >= since,
            AuditEvent.action.in_(("status_change", "desk_claim", "desk_close")),
        )
    )
    for event in events:
        day = day_of(event.created_at)
        if day is None:
            continue
        if event.action == "status_change" and event.detail.get("to") == "handoff":
            day["handoffs"].append(1)
        elif event.action == "desk_claim" and event.detail.get("waited_seconds") is not None:
            day["wait"].append(float(event.detail["waited_seconds"]))
        elif event.action == "desk_close":
            day["closed"].append(1)
            if event.detail.get("handled_seconds") is not None:
                day["handling"].append(float(event.detail["handled_seconds"]))
    for rating in session.scalars(select(Rating).where(Rating.created_at >= since)):
        day = day_of(rating.created_at)
        if day is not None:
            day["ratings"].append(float(rating.score))

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 1) if values else None

    return [
        {
            "date": date,
            "handoffs": len(day["handoffs"]),
            "closed": len(day["closed"]),
            "avg_wait_seconds": mean(day["wait"]),
            "avg_handling_seconds": mean(day["handling"]),
            "ratings": len(day["ratings"]),
            "avg_rating": mean(day["ratings"]),
        }
        for date, day in rows.items()
    ]
