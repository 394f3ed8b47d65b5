"""The desk's queue and conversation API over real HTTP, against a real SQLite store."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.desk import service
from bot.storage import repo
from bot.storage.models import Callback, Message, Rating
from tests.bot.desk.test_api_support import LiveDesk, live_desk

STAFF = {"wang": "guide", "li": "guide", "zhao": "admin"}


@pytest.fixture
def desk(tmp_path: Path, model_path: Path) -> Iterator[LiveDesk]:
    with live_desk(tmp_path, model_path, STAFF) as live:
        yield live


def _audit(desk: LiveDesk, conversation_id: int) -> list[Any]:
    with desk.database.session(readonly=True) as session:
        return repo.audit_trail(session, conversation_id=conversation_id)


def test_queue_shows_a_handed_off_chat_with_its_summary(desk: LiveDesk) -> None:
    litigant = desk.litigant("queue-1")
    litigant.say("俺借给朋友5万块他不还 起诉要交多少诉讼费")
    litigant.say("/request_human")
    wang = desk.staff("wang")
    (item,) = wang.queue()
    assert item["conversation_id"] == desk.conversation_id("queue-1")
    assert item["channel"] == "rest"
    assert item["status"] == "handoff"
    assert item["reason"] == "user_request"
    assert item["assignee"] is None
    assert 0 <= item["waiting_seconds"] < 60
    summary = item["summary"]
    assert summary["intent"] == "request_human" and summary["intent_label"] == "转人工"
    assert any("525元" in text for text in summary["answered"])  # what the bot already said
    # said before, so staff need not ask again
    assert summary["facts"] == {"amount": "50000", "case_category": "民间借贷纠纷"}


def test_queue_lists_waiting_chats_longest_first_then_held_ones(desk: LiveDesk) -> None:
    _, first = desk.handed_off("order-1")
    _, second = desk.handed_off("order-2")
    wang = desk.staff("wang")
    assert wang.action(first, "claim").status_code == 200
    desk.handed_off("order-3")
    statuses = [(i["conversation_id"], i["status"]) for i in wang.queue()]
    assert statuses[:2] == [(second, "handoff"), (desk.conversation_id("order-3"), "handoff")]
    assert statuses[2] == (first, "human")


def test_claim_race_has_exactly_one_winner(desk: LiveDesk) -> None:
    clients = [desk.staff("wang"), desk.staff("li")]
    for round_ in range(5):
        _, conversation_id = desk.handed_off(f"race-{round_}")
        barrier = threading.Barrier(len(clients))
        codes: dict[str, int] = {}

        def claim(client: Any, cid: int, gate: Any, seen: dict[str, int]) -> None:
            gate.wait()
            seen[client.username] = client.action(cid, "claim").status_code

        threads = [
            threading.Thread(target=claim, args=(c, conversation_id, barrier, codes))
            for c in clients
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(codes.values()) == [200, 409], codes
        winner = next(name for name, code in codes.items() if code == 200)
        loser = next(c for c in clients if c.username != winner)
        refused = loser.action(conversation_id, "claim")
        assert refused.status_code == 409
        assert refused.json()["message"].startswith("已被其他工作人员接手")
        claims = [e for e in _audit(desk, conversation_id) if e.action == "desk_claim"]
        assert [e.actor for e in claims] == [winner]


def test_staff_reply_reaches_the_litigant_and_the_bot_stays_silent(desk: LiveDesk) -> None:
    litigant, conversation_id = desk.handed_off("reply-1")
    wang = desk.staff("wang")
    assert wang.action(conversation_id, "claim").json() == {
        "conversation_id": conversation_id,
        "status": "human",
        "assignee": "wang",
    }
    assert litigant.say("你好，有人吗") == []  # a person owns the chat: no bot answer
    sent = wang.action(conversation_id, "messages", {"text": "您好，我是导诉员小王。"})
    assert sent.status_code == 200 and sent.json()["delivered"] is True
    assert [m["text"] for m in litigant.pull()] == ["您好，我是导诉员小王。"]
    view = wang.get(f"/desk/api/conversations/{conversation_id}").json()
    assert [(m["direction"], m["sender"]) for m in view["messages"][-2:]] == [
        ("in", "user"),
        ("out", "staff"),
    ]
    assert view["messages"][-2]["text"] == "你好，有人吗"
    assert view["messages"][-1]["staff"] == "wang"
    assert {"seq", "direction", "sender", "text", "at"} <= set(view["messages"][0])


def test_only_the_holder_replies_and_empty_replies_are_refused(desk: LiveDesk) -> None:
    _, conversation_id = desk.handed_off("holder-1")
    wang, li = desk.staff("wang"), desk.staff("li")
    not_yet = wang.action(conversation_id, "messages", {"text": "在吗"})
    assert not_yet.status_code == 409 and not_yet.json()["message"] == "请先接手该对话"
    wang.action(conversation_id, "claim")
    other = li.action(conversation_id, "messages", {"text": "我来答"})
    assert other.status_code == 409 and "wang" in other.json()["message"]
    blank = wang.action(conversation_id, "messages", {"text": "   "})
    assert blank.status_code == 400 and blank.json()["message"] == "回复内容不能为空"
    missing = wang.action(conversation_id, "messages", {})
    assert missing.status_code == 400 and "请求格式不正确" in missing.json()["message"]
    assert wang.action(999_999, "claim").status_code == 404


def test_transfer_to_a_colleague(desk: LiveDesk) -> None:
    litigant, conversation_id = desk.handed_off("transfer-1")
    wang, li = desk.staff("wang"), desk.staff("li")
    wang.action(conversation_id, "claim")
    unknown = wang.action(conversation_id, "transfer", {"to": "nobody"})
    assert unknown.status_code == 400 and "nobody" in unknown.json()["message"]
    moved = wang.action(conversation_id, "transfer", {"to": "li"})
    assert moved.status_code == 200 and moved.json()["assignee"] == "li"
    assert wang.action(conversation_id, "messages", {"text": "还是我"}).status_code == 409
    assert li.action(conversation_id, "messages", {"text": "您好，我是小李。"}).status_code == 200
    assert [m["text"] for m in litigant.pull()] == ["您好，我是小李。"]
    (transfer,) = [e for e in _audit(desk, conversation_id) if e.action == "desk_transfer"]
    assert transfer.actor == "wang" and transfer.detail["to"] == "li"


def test_close_gives_the_chat_back_to_the_bot_with_a_rating_prompt(desk: LiveDesk) -> None:
    litigant, conversation_id = desk.handed_off("close-1")
    wang = desk.staff("wang")
    wang.action(conversation_id, "claim")
    assert desk.staff("li").action(conversation_id, "close").status_code == 409
    closed = wang.action(conversation_id, "close")
    assert closed.status_code == 200 and closed.json()["status"] == "bot"
    (notice,) = litigant.pull()
    assert notice["text"] == "人工服务已结束，智能助手继续为您服务。请为本次服务打分：1-5分"
    assert [b["payload"] for b in notice["buttons"]] == [
        f'/thanks{{"rating":{n}}}' for n in range(1, 6)
    ]
    assert all(i["conversation_id"] != conversation_id for i in wang.queue())
    answer = litigant.say("你好")
    assert answer and answer[0]["text"]  # the bot answers again
    thanks = litigant.say(notice["buttons"][3]["payload"])
    assert "不客气" in thanks[0]["text"]  # the rating button acts as a button
    # The closer can still read the chat; a colleague cannot.
    assert wang.get(f"/desk/api/conversations/{conversation_id}").status_code == 200
    assert desk.staff("li").get(f"/desk/api/conversations/{conversation_id}").status_code == 404


def test_rating_button_is_stored_once(desk: LiveDesk) -> None:
    litigant, conversation_id = desk.handed_off("rating-1")
    wang = desk.staff("wang")
    wang.action(conversation_id, "claim")
    wang.action(conversation_id, "close")
    (notice,) = litigant.pull()
    litigant.say(notice["buttons"][4]["payload"])
    litigant.say(notice["buttons"][0]["payload"])  # a second tap does not count
    with desk.database.session(readonly=True) as session:
        ratings = session.query(Rating).filter_by(conversation_id=conversation_id).all()
    assert [(r.score, r.staff_username) for r in ratings] == [(5, "wang")]


def test_every_action_is_audited_with_the_staff_member(desk: LiveDesk) -> None:
    _, conversation_id = desk.handed_off("audit-1")
    wang = desk.staff("wang")
    wang.action(conversation_id, "claim")
    wang.action(conversation_id, "messages", {"text": "请稍等"})
    wang.action(conversation_id, "transfer", {"to": "li"})
    desk.staff("li").action(conversation_id, "close")
    trail = [(e.action, e.actor) for e in _audit(desk, conversation_id)]
    assert trail[0] == ("status_change", "bot")  # the handoff
    assert trail[1:] == [
        ("desk_claim", "wang"),
        ("desk_reply", "wang"),
        ("desk_transfer", "wang"),
        ("desk_close", "li"),
    ]
    events = _audit(desk, conversation_id)
    assert all(isinstance(e.detail["staff_id"], int) for e in events[1:])
    assert events[-1].detail["handled_seconds"] is not None
    assert events[1].detail["waited_seconds"] is not None


def test_stats_count_handoffs_closes_waits_and_ratings(desk: LiveDesk) -> None:
    wang = desk.staff("wang")
    for n in range(2):
        litigant, conversation_id = desk.handed_off(f"stats-{n}")
        wang.action(conversation_id, "claim")
        wang.action(conversation_id, "close")
        (notice,) = litigant.pull()
        litigant.say(notice["buttons"][2 + n]["payload"])  # 3 and 4
    desk.handed_off("stats-waiting")
    days = wang.get("/desk/api/stats", days=14).json()
    assert len(days) == 14 and days[0]["date"] < days[-1]["date"]
    today = days[-1]
    assert today["handoffs"] == 3 and today["closed"] == 2
    assert today["ratings"] == 2 and today["avg_rating"] == 3.5
    assert today["avg_wait_seconds"] is not None and today["avg_handling_seconds"] is not None
    assert all(day["handoffs"] == 0 for day in days[:-1])
    bad = wang.get("/desk/api/stats", days=0)
    assert bad.status_code == 400 and "请求格式不正确" in bad.json()["message"]


def test_call_back_number_masked_in_the_list_full_for_the_holder(desk: LiveDesk) -> None:
    _, conversation_id = desk.handed_off("callback-1")
    text = "没人的话请打我电话13912345678回电"
    with desk.database.session() as session:
        conversation = repo.get_conversation(session, conversation_id=conversation_id)
        assert conversation is not None
        parse = {
            "text": text,
            "intent": {"name": "request_human", "confidence": 0.9},
            "entities": [{"entity": "phone", "value": "13912345678", "start": 9, "end": 20}],
        }
        stored = service.maybe_record_callback(session, conversation=conversation, parse=parse)
        assert stored is not None and stored.note == "没人的话请打我电话139****5678回电"
    wang, li = desk.staff("wang"), desk.staff("li")
    (item,) = wang.queue()
    assert item["callback"]["phone"] == "139****5678"
    assert "13912345678" not in str(wang.queue())
    wang.action(conversation_id, "claim")
    path = f"/desk/api/conversations/{conversation_id}"
    assert wang.get(path).json()["callback"]["phone"] == "13912345678"
    assert li.get(path).json()["callback"]["phone"] == "139****5678"
    wang.action(conversation_id, "close")
    with desk.database.session(readonly=True) as session:
        (done,) = session.query(Callback).filter_by(conversation_id=conversation_id).all()
        assert done.done_at is not None


def test_a_queued_litigant_leaves_a_call_back_number(desk: LiveDesk) -> None:
    litigant, _ = desk.handed_off("callback-2")
    (ack,) = litigant.say("下班了的话请打13912345678回电，问立案的事")
    assert ack["text"] == "已记下您的回电号码 139****5678，导诉员上班后会尽快与您联系。"
    (item,) = desk.staff("wang").queue()
    assert item["callback"]["phone"] == "139****5678"
    assert item["callback"]["note"] == "下班了的话请打139****5678回电，问立案的事"
    assert litigant.say("还在吗") == []  # no number: the bot stays silent


def test_logged_out_calls_get_401_and_missing_csrf_403(desk: LiveDesk) -> None:
    _, conversation_id = desk.handed_off("auth-1")
    base = f"/desk/api/conversations/{conversation_id}"
    anonymous = httpx.Client(base_url=desk.url, timeout=10)
    for path in ("/desk/api/queue", base, "/desk/api/stats", "/desk/events"):
        response = anonymous.get(path)
        assert response.status_code == 401 and response.json()["message"] == "请先登录", path
    for verb in ("claim", "messages", "transfer", "close"):
        response = anonymous.post(f"{base}/{verb}", json={"text": "x", "to": "li"})
        assert response.status_code == 401, verb
    wang = desk.staff("wang")
    del wang.http.headers["X-CSRF-Token"]
    for verb in ("claim", "messages", "transfer", "close"):
        response = wang.http.post(f"{base}/{verb}", json={"text": "x", "to": "li"})
        assert response.status_code == 403, verb
    wang.http.headers["X-CSRF-Token"] = "forged"
    assert wang.http.post(f"{base}/claim").status_code == 403
    assert wang.queue()[0]["status"] == "handoff"  # nothing changed


def test_outbound_hook_carries_staff_replies(tmp_path: Path, model_path: Path) -> None:
    with live_desk(tmp_path, model_path, {"wang": "guide"}) as desk:
        delivered: list[tuple[str, str]] = []

        def deliver(conversation: Any, message_id: int) -> bool:
            with desk.app.state.db.session(readonly=True) as session:
                stored = session.get(Message, message_id)
                delivered.append((conversation.sender_id, stored.text))
            return True

        desk.app.state.deliver = deliver
        _, conversation_id = desk.handed_off("hook-1")
        wang = desk.staff("wang")
        wang.action(conversation_id, "claim")
        wang.action(conversation_id, "messages", {"text": "已为您查询"})
        wang.action(conversation_id, "close")
        assert delivered == [("hook-1", "已为您查询"), ("hook-1", service.CLOSING_TEXT)]
