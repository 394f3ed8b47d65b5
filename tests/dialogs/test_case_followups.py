"""Proof once per session in the dialog: follow-ups read the case with the kept grant,
everything else about a case still needs its proof (fake court, real NLU)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dialogs.flows.case_followup import asks_where_number, focus_of, personal_money
from dialogs.state import DialogState
from nlu.pipeline import NluPipeline
from tests.dialogs.test_engine import CASE, THURSDAY, Chat


@pytest.fixture
def chat(nlu_pipeline: NluPipeline) -> Chat:
    return Chat(nlu_pipeline)


def _proved(chat: Chat) -> str:
    chat.say("查案件进度")
    chat.say(CASE)
    return chat.text("K7M2Q9")


@pytest.mark.parametrize(
    ("text", "focus"),
    [
        ("法官是谁", "judge"),
        ("谁是承办法官", "judge"),
        ("书记员是谁", "judge"),
        ("管我案子的法官叫啥", "judge"),
        ("什么时候开庭", "hearing"),
        ("开庭在哪个法庭", "hearing"),
        ("啥时候过堂", "hearing"),
        ("最近有啥进展", "events"),
        ("有新消息没", "events"),
        ("那案款呢", "payments"),
        ("钱到了没", "payments"),
        ("案款发了吗", "payments"),
        ("我的执行款到账了吗", "payments"),
        ("钱怎么还没打给我", "payments"),
        ("还在审吗", "status"),
        ("判了没有", "status"),
    ],
)
def test_follow_ups_are_recognised_with_their_focus(text: str, focus: str) -> None:
    assert focus_of(text) == focus


@pytest.mark.parametrize(
    "text",
    [
        "执行款怎么领",
        "诉讼费多少钱",
        "借了5万 诉讼费多少",
        "法官会怎么判",
        "离婚要带什么材料",
        "你好",
        "立案后多久开庭",
    ],
)
def test_other_questions_are_no_follow_up(text: str) -> None:
    assert focus_of(text) is None


def test_personal_money_questions_are_told_from_the_procedure_question() -> None:
    assert personal_money("我的执行款到账了吗")
    assert personal_money("钱发了没有")
    assert personal_money("案款什么时候能打给我")
    assert not personal_money("执行案款到账了吗")  # answered by the procedure text


def test_not_knowing_the_case_number_is_recognised() -> None:
    for text in ("我不知道我的案号", "案号在哪看", "案号忘了咋办", "俺不晓得案好是多少"):
        assert asks_where_number(text), text
    assert not asks_where_number("案号（2026）内0602民初10234号")
    assert not asks_where_number("我忘了带身份证")


def test_follow_ups_read_the_case_with_the_grant_and_answer_the_focus(chat: Chat) -> None:
    assert "审理中" in _proved(chat)
    judge = chat.text("法官是谁")
    assert "王某" in judge and "查询码" not in judge and "立案日期" not in judge
    hearing = chat.text("什么时候开庭")
    assert "2026-12-10 09:30" in hearing and "第三法庭" in hearing
    money = chat.text("那案款呢")
    assert "50,000元" in money and "待发放" in money
    assert (chat.court.calls, chat.court.reads) == (1, 3)  # one proof, three reads


def test_an_expired_grant_asks_the_proof_again_and_answers_the_focus_after_it(
    chat: Chat,
) -> None:
    _proved(chat)
    chat.now = THURSDAY + timedelta(minutes=11)  # the fake court said expires_in 600 s
    asked = chat.text("法官是谁")
    assert "继续查询案号" in asked and "查询码" in asked and "王某" not in asked
    assert chat.court.reads == 0
    judge = chat.text("K7M2Q9")
    assert "承办法官：王某" in judge and "立案日期" not in judge


def test_a_token_the_court_refuses_asks_the_proof_again(chat: Chat) -> None:
    _proved(chat)
    chat.court.revoke()
    asked = chat.text("钱到了没")
    assert "查询码" in asked and "50,000元" not in asked
    assert chat.state.form == "case_payment"
    assert "50,000元" in chat.text("K7M2Q9")


def test_a_wrong_proof_leaves_no_grant(chat: Chat) -> None:
    chat.say("查案件进度")
    chat.say(CASE)
    assert "不匹配" in chat.text("ABCDEF")
    chat.say("算了")
    asked = chat.text("法官是谁")
    assert "查询码" in asked and "王某" not in asked
    assert chat.court.reads == 0


def test_another_sender_has_no_grant(chat: Chat) -> None:
    _proved(chat)
    chat.sender = "wechat\x1fsomeone-else"  # the same state, another source: no token
    asked = chat.text("法官是谁")
    assert "查询码" in asked and "王某" not in asked


def test_a_new_session_of_the_same_source_keeps_using_the_grant(chat: Chat) -> None:
    _proved(chat)
    chat.state = DialogState()
    answer = chat.text(CASE)
    assert "审理中" in answer and "查询码" not in answer


def test_forgetting_the_conversation_drops_its_grants(chat: Chat) -> None:
    _proved(chat)
    chat.say("删除我的记录")
    chat.press("确认删除")
    asked = chat.text(CASE)
    assert "查询码" in asked and "审理中" not in asked
    assert len(chat.engine.grants) == 0


def test_a_lookup_of_the_same_case_with_a_grant_is_answered_at_once(chat: Chat) -> None:
    _proved(chat)
    answer = chat.text("查案件进度")
    assert "审理中" in answer and "查询码" not in answer
    assert chat.state.form is None


def test_a_court_outage_on_the_read_is_said_as_busy(chat: Chat) -> None:
    _proved(chat)
    chat.court.down = True
    assert "系统繁忙" in chat.text("法官是谁")
    assert chat.state.form is None


def test_a_case_number_after_a_case_money_answer_shows_the_payments(chat: Chat) -> None:
    chat.say("执行案款到账了吗")
    assert chat.state.topic == "case_payment"
    chat.say(CASE)
    assert chat.state.form == "case_payment"
    assert "50,000元" in chat.text("K7M2Q9")


def test_not_knowing_the_number_outside_a_form_says_where_it_is_printed(chat: Chat) -> None:
    replies = chat.say("我不知道我的案号")
    text = replies[0].text or ""
    assert "受理案件通知书" in text and "12368" in text
    assert any(b.title == "转人工" for b in replies[0].buttons)
    assert chat.state.form == "case_status" and chat.state.requested == "case_number"


def test_the_status_button_after_a_case_money_answer_stays_a_status_lookup(chat: Chat) -> None:
    chat.say("执行案款到账了吗")
    chat.say("/case_status")
    assert chat.state.form == "case_status"


def test_a_loan_case_asked_for_progress_is_no_case_money_lookup(chat: Chat) -> None:
    chat.say(f"借钱的案子 {CASE} 查下进度")
    assert chat.state.form == "case_status"
