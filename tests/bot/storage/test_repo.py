"""The repository as the channels, the dialog runner and the desk use it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import inspect, select, text

from bot.storage import repo, turns
from bot.storage.db import Database
from bot.storage.models import AuditEvent, Conversation, Message

if TYPE_CHECKING:
    from nlu.pipeline import NluPipeline

ID_NUMBER = "150602199001011238"
PHONE = "13900001111"


def _all_stored_text(db: Database) -> str:
    """Every value of every row of every table, as one string."""
    chunks = []
    with db.session(readonly=True) as session:
        for table in inspect(session.connection()).get_table_names():
            for row in session.execute(text(f'SELECT * FROM "{table}"')):
                chunks.extend(str(value) for value in row)
    return "\n".join(chunks)


def test_personal_numbers_never_reach_the_database_verbatim(
    db: Database, nlu_pipeline: NluPipeline
) -> None:
    typed = [
        f"我的身份证号是{ID_NUMBER}，手机{PHONE}，帮我查案子",
        "身份证１５０６０２１９９００１０１１２３８ 电话139 0000 1111",
    ]
    with db.session() as session:
        conversation = repo.get_or_create_conversation(session, channel="webchat", sender_id="u1")
        for message in typed:
            inbound = repo.add_inbound(
                session,
                conversation=conversation,
                text=message,
                parse=nlu_pipeline.parse(message),
            )
            assert inbound is not None and inbound.pending_text == message  # until answered
            turns.mark_answered(session, message_id=inbound.id)
        repo.add_outbound(
            session,
            conversation=conversation,
            text=f"工作人员：已记下您的电话{PHONE}",
            payload={"buttons": [{"title": f"回拨{PHONE}", "payload": "/affirm"}]},
            sender_kind="staff",
        )
        repo.set_status(
            session,
            conversation=conversation,
            status="handoff",
            reason=f"用户留了电话 {PHONE}",
            detail={"note": f"身份证 {ID_NUMBER}"},
        )
        repo.save_state(session, conversation=conversation, state={"form": None})

    stored = _all_stored_text(db)
    for secret in (ID_NUMBER, PHONE, "139 0000 1111", "１５０６０２１９９００１０１１２３８"):
        assert secret not in stored
    # What remains is recognisable to staff, and the parse still lines up with the text.
    assert "150602********1238" in stored
    assert "139****1111" in stored
    with db.session(readonly=True) as session:
        first = repo.transcript(session, conversation_id=conversation.id)[0]
        assert first.parse is not None and first.text is not None
        entity = next(e for e in first.parse["entities"] if e["entity"] == "id_number")
        assert first.text[entity["start"] : entity["end"]] == "150602********1238"
        assert first.parse["text"] == first.text


def test_a_redelivered_platform_message_is_stored_once(db: Database) -> None:
    with db.session() as session:
        conversation = repo.get_or_create_conversation(session, channel="wechat", sender_id="o1")
        first = repo.add_inbound(
            session, conversation=conversation, text="你好", parse=None, external_id="msg-1"
        )
        again = repo.add_inbound(
            session, conversation=conversation, text="你好", parse=None, external_id="msg-1"
        )
        other = repo.get_or_create_conversation(session, channel="wechat", sender_id="o2")
        same_id_elsewhere = repo.add_inbound(
            session, conversation=other, text="你好", parse=None, external_id="msg-1"
        )
        without_ids = [
            repo.add_inbound(session, conversation=conversation, text="再说一遍", parse=None)
            for _ in range(2)
        ]
    assert first is not None and again is None
    assert same_id_elsewhere is not None
    assert all(m is not None for m in without_ids)
    with db.session(readonly=True) as session:
        assert len(repo.transcript(session, conversation_id=conversation.id)) == 3


def test_messages_are_numbered_and_pulled_after_a_seq(db: Database) -> None:
    with db.session() as session:
        alice = repo.get_or_create_conversation(session, channel="rest", sender_id="alice")
        bob = repo.get_or_create_conversation(session, channel="rest", sender_id="bob")
        repo.add_inbound(session, conversation=alice, text="诉讼费怎么算", parse=None)
        repo.add_outbound(session, conversation=alice, text="请问标的额是多少？", payload=None)
        repo.add_inbound(session, conversation=bob, text="我要立案", parse=None)
        repo.add_outbound(session, conversation=bob, text="鲍勃的回复", payload=None)
        repo.add_inbound(session, conversation=alice, text="5万", parse=None)
        buttons = {"buttons": [{"title": "是", "payload": "/affirm"}]}
        repo.add_outbound(session, conversation=alice, text="受理费1050元", payload=buttons)
        repo.add_outbound(
            session,
            conversation=alice,
            text="工作人员稍后联系您",
            payload=None,
            sender_kind="staff",
        )

    with db.session(readonly=True) as session:
        seqs = [m.seq for m in repo.transcript(session, conversation_id=alice.id)]
        assert seqs == [1, 2, 3, 4, 5]
        everything = repo.messages_after(session, channel="rest", sender_id="alice", after=0)
        assert [(m.seq, m.text) for m in everything] == [
            (2, "请问标的额是多少？"),
            (4, "受理费1050元"),
            (5, "工作人员稍后联系您"),
        ]
        later = repo.messages_after(session, channel="rest", sender_id="alice", after=2)
        assert [m.seq for m in later] == [4, 5]
        assert later[0].buttons == [{"title": "是", "payload": "/affirm"}]
        assert repo.messages_after(session, channel="rest", sender_id="alice", after=5) == []
        assert repo.messages_after(session, channel="webchat", sender_id="alice", after=0) == []
        assert repo.messages_after(session, channel="rest", sender_id="nobody", after=0) == []
        inbound = repo.messages_after(
            session, channel="rest", sender_id="alice", after=0, direction="in"
        )
        assert [m.text for m in inbound] == ["诉讼费怎么算", "5万"]


def test_the_same_sender_on_another_channel_is_another_conversation(db: Database) -> None:
    with db.session() as session:
        a = repo.get_or_create_conversation(session, channel="rest", sender_id="42")
        b = repo.get_or_create_conversation(session, channel="telegram", sender_id="42")
        again = repo.get_or_create_conversation(session, channel="rest", sender_id="42")
    assert a.id != b.id
    assert again.id == a.id


def test_dialog_state_round_trips(db: Database) -> None:
    state: dict[str, Any] = {
        "form": "fee",
        "slots": {"kind": "property", "amount": 50000.5, "court": "东胜区人民法院"},
        "requested": None,
        "misses": 2,
        "clarify": ["fee", "deadline"],
        "proof_failures": {"（2025）内0602民初1234号": {"count": 1, "locked_until": None}},
    }
    with db.session() as session:
        conversation = repo.get_or_create_conversation(session, channel="rest", sender_id="s")
        repo.save_state(session, conversation=conversation, state=state)
        state["misses"] = 99  # the caller's dict is not the stored one
    with db.session(readonly=True) as session:
        stored = repo.find_conversation(session, channel="rest", sender_id="s")
        assert stored is not None
        assert stored.state["misses"] == 2
        assert {**stored.state, "misses": 99} == state
    with db.session() as session:
        conversation = repo.get_or_create_conversation(session, channel="rest", sender_id="s")
        with pytest.raises(repo.StoreError):
            repo.save_state(session, conversation=conversation, state={"when": datetime.now(UTC)})


def test_status_changes_are_audited(db: Database) -> None:
    with db.session() as session:
        conversation = repo.get_or_create_conversation(session, channel="wechat", sender_id="w")
        assert conversation.status == "bot"
        handoff = repo.set_status(
            session,
            conversation=conversation,
            status="handoff",
            reason="user_request",
            detail={"intent": "request_human", "topic": "filing"},
        )
        unchanged = repo.set_status(session, conversation=conversation, status="handoff")
        repo.set_status(session, conversation=conversation, status="human", actor="daoshu01")
        queued_at = conversation.handoff_at
        repo.set_status(
            session, conversation=conversation, status="human", actor="daoshu01", assignee="zhang"
        )
        repo.set_status(session, conversation=conversation, status="bot", actor="zhang")
        with pytest.raises(repo.StoreError):
            repo.set_status(session, conversation=conversation, status="asleep")
    assert handoff is not None and unchanged is None
    assert queued_at is not None and queued_at.tzinfo is not None

    with db.session(readonly=True) as session:
        stored = session.get(Conversation, conversation.id)
        assert stored is not None
        assert (stored.status, stored.assignee, stored.handoff_at) == ("bot", None, None)
        trail = repo.audit_trail(session, conversation_id=conversation.id)
        assert [
            (e.actor, e.detail["from"], e.detail["to"], e.detail["assignee"]) for e in trail
        ] == [
            ("bot", "bot", "handoff", None),
            ("daoshu01", "handoff", "human", "daoshu01"),
            ("daoshu01", "human", "human", "zhang"),
            ("zhang", "human", "bot", None),
        ]
        latest = repo.latest_handoff(session, conversation_id=conversation.id)
        assert latest is not None
        assert latest.detail["reason"] == "user_request"
        assert latest.detail["topic"] == "filing"


def test_desk_queue_lists_waiting_conversations_oldest_first(db: Database) -> None:
    with db.session() as session:
        for sender in ("first", "second", "third"):
            conversation = repo.get_or_create_conversation(
                session, channel="webchat", sender_id=sender
            )
            if sender != "second":
                repo.set_status(session, conversation=conversation, status="handoff")
    with db.session(readonly=True) as session:
        queue = repo.conversations_with_status(session, status="handoff")
        assert [c.sender_id for c in queue] == ["first", "third"]


def test_timestamps_come_back_as_utc(db: Database) -> None:
    before = datetime.now(UTC)
    with db.session() as session:
        conversation = repo.get_or_create_conversation(session, channel="rest", sender_id="t")
        repo.add_inbound(session, conversation=conversation, text="你好", parse=None)
    with db.session(readonly=True) as session:
        message = session.scalars(select(Message)).one()
        stored = session.get(Conversation, conversation.id)
        assert stored is not None
        for moment in (message.created_at, stored.created_at, stored.last_message_at):
            assert moment.utcoffset() == timedelta(0)
            assert before - timedelta(seconds=5) <= moment <= datetime.now(UTC)


def test_purge_deletes_old_messages_and_idle_conversations(db: Database) -> None:
    now = datetime.now(UTC)
    old = now - timedelta(days=200)
    with db.session() as session:
        idle = repo.get_or_create_conversation(session, channel="rest", sender_id="idle")
        repo.add_inbound(session, conversation=idle, text="去年的问题", parse=None)
        repo.set_status(session, conversation=idle, status="handoff", reason="user_request")
        repo.set_status(session, conversation=idle, status="closed", actor="daoshu01")
        active = repo.get_or_create_conversation(session, channel="rest", sender_id="active")
        repo.add_inbound(session, conversation=active, text="很久以前", parse=None)
        repo.add_inbound(session, conversation=active, text="今天又来问", parse=None)
        waiting = repo.get_or_create_conversation(session, channel="rest", sender_id="waiting")
        repo.add_inbound(session, conversation=waiting, text="等人工", parse=None)
        repo.set_status(session, conversation=waiting, status="handoff")
        session.flush()
        # Age the rows as if they had been written 200 days ago.
        for message in session.scalars(select(Message).where(Message.text != "今天又来问")):
            message.created_at = old
        idle.last_message_at = old
        waiting.last_message_at = old
        idle_id, active_id, waiting_id = idle.id, active.id, waiting.id

    with db.session() as session:
        assert repo.purge_older_than(session, days=180, now=now) == 3
        assert repo.purge_older_than(session, days=180, now=now) == 0

    with db.session(readonly=True) as session:
        assert session.get(Conversation, idle_id) is None
        assert session.get(Conversation, waiting_id) is not None  # staff still own it
        assert [m.text for m in repo.transcript(session, conversation_id=active_id)] == [
            "今天又来问"
        ]
        assert repo.transcript(session, conversation_id=waiting_id) == []
        kept = session.scalars(select(AuditEvent).where(AuditEvent.conversation_id.is_(None)))
        assert len(list(kept)) == 2  # the idle conversation's trail outlives it
