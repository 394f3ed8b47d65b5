"""Holding the thread: interruptions offered back, follow-ups on the last topic, plain yes/no."""

from __future__ import annotations

import pytest

from dialogs import yesno
from dialogs.state import DialogState
from nlu.pipeline import NluPipeline
from tests.dialogs.test_engine import Chat


@pytest.fixture
def chat(nlu_pipeline: NluPipeline) -> Chat:
    return Chat(nlu_pipeline)


@pytest.mark.parametrize(
    "text", ["好", "好的", "嗯嗯", "行吧", "对对对", "可以可以", "好的谢谢", "中"]
)
def test_plain_yes(text: str) -> None:
    assert yesno.is_yes(text) and not yesno.is_no(text)


@pytest.mark.parametrize("text", ["不用了", "不了不了", "算了", "没有了", "不用了谢谢", "不要"])
def test_plain_no(text: str) -> None:
    assert yesno.is_no(text) and not yesno.is_yes(text)


@pytest.mark.parametrize("text", ["就是那个嘛", "那过了多久就告不了了", "好像不太对劲", "要多久"])
def test_questions_are_neither(text: str) -> None:
    assert not yesno.is_yes_or_no(text)


def test_a_question_in_the_middle_of_a_lookup_is_answered_and_the_lookup_offered_back(
    chat: Chat,
) -> None:
    chat.say("查案子进度")
    assert chat.state.form == "case_status"
    answer = chat.text("等会 标的10万诉讼费多少")
    assert "2,300元" in answer and "刚才的案件还要接着查吗" in answer
    assert chat.state.form is None
    assert "案号" in chat.text("好")
    assert chat.state.form == "case_status"


def test_the_offer_declined_or_ignored_is_not_made_again(chat: Chat) -> None:
    chat.say("我要算上诉期")
    chat.say("等一下 上诉要带什么材料")
    assert chat.state.paused is not None
    assert "还有什么可以帮您" in chat.text("不用了")
    assert chat.state.paused is None and chat.state.form is None
    chat.say("我要算上诉期")
    chat.say("等一下 上诉要带什么材料")
    answer = chat.text("离婚要带啥")
    assert "刚才" not in answer and chat.state.paused is None


def test_a_paused_lookup_resumes_with_its_case_number(chat: Chat) -> None:
    chat.say("查案子进度")
    chat.say("（2025）内0602民初1234号")
    chat.say("等一下 申请执行要带什么材料")
    answer = chat.text("接着办")
    assert "继续查询案号（2025）内0602民初1234号" in answer and "查询码" in answer
    assert "审理中" in chat.text("K7M2Q9")


def test_lets_drop_it_and_ask_something_else_answers_the_question(chat: Chat) -> None:
    chat.say("我要算上诉期")
    answer = chat.text("算了 先问问离婚要带啥")
    assert "离婚" in answer and "刚才" not in answer
    assert chat.state.form is None and chat.state.paused is None


def test_a_plain_cancel_still_cancels_and_drops_a_paused_form(chat: Chat) -> None:
    chat.say("查案子进度")
    chat.say("等会 诉讼费怎么算")  # the fee form opens; the look-up waits
    assert chat.state.form == "fee" and chat.state.paused is not None
    assert "已取消" in chat.text("不算了")
    assert chat.state.form is None and chat.state.paused is None


def test_follow_ups_about_an_administrative_suit(chat: Chat) -> None:
    chat.say("我想告政府 怎么立案")
    assert "6个月" in chat.text("那过了多久就告不了了")
    assert "50元" in chat.text("要交钱吗")
    templates = chat.say("有模板吗")
    assert "行政处罚" in [b.title for b in templates[0].buttons]


def test_the_fee_after_an_enforcement_answer_is_the_application_fee(chat: Chat) -> None:
    chat.say("对方不履行判决 怎么申请执行")
    answer = chat.text("执行标的8万")
    assert "申请执行费" in answer and "1,100元" in answer and "案件受理费" not in answer


def test_an_amount_said_earlier_is_used_for_the_fee(chat: Chat) -> None:
    chat.say("他欠我十万块钱不还 想告他")
    assert "2,300元" in chat.text("那要交多少钱")
    assert "缴费" in chat.text("在哪交")


def test_a_bare_date_after_an_appeal_answer_counts_the_period(chat: Chat) -> None:
    chat.say("不服判决怎么上诉")
    chat.say("11月20号收到的")
    assert chat.state.form == "deadline" and chat.state.slots.get("from") == "2026-11-20"


def test_a_misread_yes_gets_an_open_question(chat: Chat) -> None:
    chat.say("怎么申请强制执行")
    answer = chat.text("就是那个嘛")
    assert "还有什么可以帮您" not in answer and chat.last.fallback == "first"


def test_old_states_without_the_new_fields_still_load() -> None:
    state = DialogState.from_dict({"form": "fee", "slots": {"kind": "divorce"}})
    assert state.paused is None and state.facts == {}
