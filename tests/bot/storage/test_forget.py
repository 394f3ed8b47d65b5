"""repo.forget_conversation: "删除我的记录" in the store (SQLite, and PostgreSQL when given)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, inspect, select, text

from bot.desk import service
from bot.desk.auth import StaffUser
from bot.storage import repo, turns
from bot.storage.db import Database
from bot.storage.masking import mask_number
from bot.storage.models import AuditEvent, Callback, Conversation, Message, Rating

STAFF = StaffUser(id=7, username="lina", role="guide")


@dataclass(frozen=True)
class Said:
    """What one litigant and the staff serving them said: none of it may survive forgetting."""

    question: str
    case_number: str
    phone: str
    staff_reply: str
    request: str

    def everything(self) -> tuple[str, ...]:
        return (
            self.question,
            self.case_number,
            self.phone,
            mask_number(self.phone, "phone"),
            self.staff_reply,
            self.request,
        )


ALICE = Said(
    "借给朋友5万块不还",
    "（2026）内0602民初10234号",
    "13912345678",
    "您好，我是导诉员小李",
    "删除我的记录",
)
BOB = Said(
    "离婚要交多少钱",
    "（2026）内0602民初2871号",
    "13887654321",
    "您好，我是导诉员小王",
    "请删掉聊天记录",
)


@dataclass
class Chat:
    conversation_id: int
    stub_id: int  # the inbound message that confirmed the deletion


def _all_stored_text(db: Database) -> str:
    """Every value of every row of every table, as one string."""
    chunks: list[str] = []
    with db.session(readonly=True) as session:
        for table in inspect(session.connection()).get_table_names():
            for row in session.execute(text(f'SELECT * FROM "{table}"')):
                chunks.extend(str(value) for value in row)
    return "\n".join(chunks)


def _full_chat(db: Database, sender: str, said: Said) -> Chat:
    """A litigant who asked, was handed to the desk, left a number, was served and rated."""
    with db.session() as session:
        conversation = repo.get_or_create_conversation(session, channel="rest", sender_id=sender)
        question = repo.add_inbound(
            session,
            conversation=conversation,
            text=said.question,
            parse={"text": said.question, "intent": {"name": "fee_calculation", "confidence": 0.9}},
        )
        assert question is not None
        repo.add_outbound(
            session, conversation=conversation, text="财产案件受理费：1,050元", payload=None
        )
        turns.mark_answered(session, message_id=question.id)
        repo.add_inbound(session, conversation=conversation, text=said.case_number, parse=None)
        repo.set_status(
            session,
            conversation=conversation,
            status="handoff",
            reason="user_request",
            detail={
                "intent": "case_status",
                "slots": {"case_number": said.case_number},
                "entities": {"case_number": said.case_number},
            },
        )
        left = "我的电话" + said.phone
        repo.add_inbound(session, conversation=conversation, text=left, parse=None)
        service.maybe_record_callback(
            session,
            conversation=conversation,
            parse={"text": left, "entities": [{"entity": "phone", "value": said.phone}]},
        )
        conversation_id = conversation.id
    with db.session() as session:
        service.claim(session, conversation_id=conversation_id, staff=STAFF)
        service.reply(session, conversation_id=conversation_id, staff=STAFF, text=said.staff_reply)
        service.close(session, conversation_id=conversation_id, staff=STAFF)
        assert service.record_rating(session, conversation_id, 5) is not None
    with db.session() as session:
        conversation = repo.get_or_create_conversation(session, channel="rest", sender_id=sender)
        repo.save_state(session, conversation=conversation, state={"last_case": said.case_number})
        stub = repo.add_inbound(
            session, conversation=conversation, text=said.request, parse=None, external_id="m-99"
        )
        assert stub is not None
        return Chat(conversation_id, stub.id)


def _counts(db: Database, conversation_id: int) -> tuple[int, int, int, int]:
    with db.session(readonly=True) as session:
        return (
            session.scalar(
                select(func.count(Message.id)).where(Message.conversation_id == conversation_id)
            )
            or 0,
            session.scalar(
                select(func.count(Callback.id)).where(Callback.conversation_id == conversation_id)
            )
            or 0,
            session.scalar(
                select(func.count(Rating.id)).where(Rating.conversation_id == conversation_id)
            )
            or 0,
            session.scalar(
                select(func.count(AuditEvent.id)).where(
                    AuditEvent.conversation_id == conversation_id
                )
            )
            or 0,
        )


def test_forget_deletes_messages_callbacks_and_ratings_and_resets_the_chat(db: Database) -> None:
    chat = _full_chat(db, "alice", ALICE)
    other = _full_chat(db, "bob", BOB)
    other_before = _counts(db, other.conversation_id)
    assert all(other_before)  # bob has messages, a callback, a rating and audit events
    before = _all_stored_text(db)
    for said in ALICE.everything():
        assert said in before, said  # so the check after forgetting means something

    with db.session() as session:
        forgotten = repo.forget_conversation(
            session, conversation_id=chat.conversation_id, keep_message_id=chat.stub_id
        )
    assert forgotten is not None
    assert (forgotten.callbacks, forgotten.ratings) == (1, 1)
    assert forgotten.messages >= 6 and forgotten.audit_events >= 4

    with db.session(readonly=True) as session:
        conversation = session.get(Conversation, chat.conversation_id)
        assert conversation is not None
        assert (conversation.status, conversation.assignee, conversation.state) == ("bot", None, {})
        assert conversation.handoff_at is None and conversation.handoff_reason is None
        (stub,) = repo.transcript(session, conversation_id=chat.conversation_id)
        assert stub.id == chat.stub_id and stub.direction == "in"
        assert (stub.text, stub.parse, stub.pending_text) == (None, None, None)
        assert stub.external_id == "m-99"  # a redelivery is still recognised
        (event,) = repo.audit_trail(session, conversation_id=chat.conversation_id)
        assert (event.actor, event.action) == ("user", "forgotten")
        assert event.detail == {
            "channel": "rest",
            "messages": forgotten.messages,
            "callbacks": 1,
            "ratings": 1,
            "audit_events": forgotten.audit_events,
        }
        detached = list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.conversation_id.is_(None), AuditEvent.action != "desk_login"
                )
            )
        )
        assert len(detached) == forgotten.audit_events
        for old in detached:
            assert set(old.detail) <= repo.ANONYMOUS_AUDIT_KEYS
        actions = {old.action for old in detached}
        assert {"status_change", "callback_left", "desk_claim", "desk_close"} <= actions

    assert _counts(db, chat.conversation_id) == (1, 0, 0, 1)
    assert _counts(db, other.conversation_id) == other_before

    stored = _all_stored_text(db)
    for said in ALICE.everything():
        assert said not in stored, said
    for said in BOB.everything():
        assert said in stored, said


def test_the_next_message_continues_the_numbering(db: Database) -> None:
    chat = _full_chat(db, "alice", ALICE)
    with db.session() as session:
        before = session.get(Conversation, chat.conversation_id)
        assert before is not None
        last_seq = before.next_seq - 1
        repo.forget_conversation(
            session, conversation_id=chat.conversation_id, keep_message_id=chat.stub_id
        )
    with db.session() as session:
        conversation = repo.get_or_create_conversation(session, channel="rest", sender_id="alice")
        assert conversation.id == chat.conversation_id
        reply = repo.add_outbound(session, conversation=conversation, text="已删除", payload=None)
        assert reply.seq > last_seq  # the web chat's pull (after=SEQ) still sees it


def test_forget_without_a_stub_deletes_every_message(db: Database) -> None:
    chat = _full_chat(db, "alice", ALICE)
    with db.session() as session:
        forgotten = repo.forget_conversation(session, conversation_id=chat.conversation_id)
    assert forgotten is not None
    assert _counts(db, chat.conversation_id) == (0, 0, 0, 1)


@pytest.mark.parametrize("status", ["handoff", "human"])
def test_a_chat_staff_hold_is_not_forgotten(db: Database, status: str) -> None:
    with db.session() as session:
        conversation = repo.get_or_create_conversation(session, channel="rest", sender_id="c")
        repo.add_inbound(session, conversation=conversation, text="删除我的记录", parse=None)
        repo.set_status(session, conversation=conversation, status=status, actor="lina")
        conversation_id = conversation.id
    with db.session() as session, pytest.raises(repo.StoreError):
        repo.forget_conversation(session, conversation_id=conversation_id)
    assert _counts(db, conversation_id)[0] == 1


def test_unknown_conversation_and_foreign_stub(db: Database) -> None:
    alice = _full_chat(db, "alice", ALICE)
    bob = _full_chat(db, "bob", BOB)
    with db.session() as session:
        assert repo.forget_conversation(session, conversation_id=alice.conversation_id + 99) is None
    with db.session() as session, pytest.raises(repo.StoreError):
        repo.forget_conversation(
            session, conversation_id=alice.conversation_id, keep_message_id=bob.stub_id
        )
    assert _counts(db, alice.conversation_id)[0] > 1  # the refused call changed nothing
