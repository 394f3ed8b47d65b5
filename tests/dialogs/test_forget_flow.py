"""The "删除我的记录" flow through the dialog engine (real NLU, in-memory court)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dialogs.flows import forget
from dialogs.state import DialogState
from nlu.pipeline import NluPipeline
from tests.dialogs.test_engine import CASE, Chat


@pytest.fixture
def chat(nlu_pipeline: NluPipeline) -> Chat:
    return Chat(nlu_pipeline)


def _buttons(chat: Chat) -> list[str]:
    return [b.title for r in chat.last.replies for b in r.buttons]


def _asked(chat: Chat) -> bool:
    return chat.state.form == forget.FORM and _buttons(chat) == ["确认删除", "取消"]


def test_request_explains_what_goes_and_what_stays_then_asks(chat: Chat) -> None:
    answer = chat.text("删除我的记录")
    assert _asked(chat)
    assert not chat.last.forget
    deleted, kept = answer.split("不会删除")
    for item in ("聊天内容", "导诉员", "回电号码", "评分"):
        assert item in deleted
    for item in ("已经向法院提交的材料", "案件记录", "不含聊天内容"):
        assert item in kept
    assert "确认删除" in answer and "取消" in answer


def test_confirming_forgets_and_starts_afresh(chat: Chat) -> None:
    chat.say("查案件进度")
    chat.say(CASE)
    assert chat.state.last_case is not None
    chat.say("删除我的记录")
    answer = chat.press("确认删除")
    assert chat.last.forget
    assert "已删除" in answer
    assert chat.state == DialogState()  # nothing of the old conversation is left
    assert "您好" in chat.text("你好")  # and the next message is a normal start
    assert not chat.last.forget


def test_typed_confirmation_counts_as_explicit(chat: Chat) -> None:
    chat.say("把我的信息删了")
    chat.say("确认删除")
    assert chat.last.forget


def test_cancel_keeps_everything(chat: Chat) -> None:
    chat.say("删掉聊天记录")
    answer = chat.press("取消")
    assert "没有删除" in answer
    assert not chat.last.forget
    assert chat.state.form is None


@pytest.mark.parametrize("words", ["不删了", "算了", "不要", "不用了"])
def test_saying_no_keeps_everything(chat: Chat, words: str) -> None:
    chat.say("清除我的对话记录")
    assert "没有删除" in chat.text(words)
    assert not chat.last.forget
    assert chat.state.form is None


@pytest.mark.parametrize("words", ["好的", "是的", "删吧"])
def test_a_vague_yes_asks_for_the_explicit_button(chat: Chat, words: str) -> None:
    chat.say("不要保存我的记录")
    answer = chat.text(words)
    assert not chat.last.forget
    assert "确认删除" in answer and _asked(chat)
    chat.press("确认删除")
    assert chat.last.forget


def test_another_question_leaves_everything_and_is_answered(chat: Chat) -> None:
    chat.say("删除我的记录")
    answer = chat.text("借给朋友5万块不还 起诉要交多少诉讼费")
    assert not chat.last.forget
    assert "1,050元" in answer
    assert chat.state.form is None
    chat.say("确认删除")  # the question is no longer open: this deletes nothing
    assert not chat.last.forget


def test_request_for_a_human_while_asked_goes_to_the_desk(chat: Chat) -> None:
    chat.say("删除我的记录")
    chat.say("转人工")
    assert chat.last.handoff is not None
    assert not chat.last.forget


def test_a_late_confirmation_button_asks_again_instead_of_deleting(chat: Chat) -> None:
    chat.say(forget.CONFIRM_BUTTON.payload)
    assert not chat.last.forget
    assert _asked(chat)


def test_the_menu_payload_asks(chat: Chat) -> None:
    chat.say(forget.REQUEST_BUTTON.payload)
    assert _asked(chat)
    assert not chat.last.forget


def test_request_inside_an_open_form_wins_over_the_form(chat: Chat) -> None:
    chat.say("诉讼费怎么算")
    assert chat.state.form == "fee"
    chat.say("删除我的聊天记录")
    assert _asked(chat)
    chat.say("查案件进度")
    chat.say(CASE)
    assert chat.state.requested == "proof"
    chat.say("删除我的记录")  # not taken for a proof, not sent to the court
    assert _asked(chat)
    assert chat.court.calls == 0
    assert not chat.last.redact_inbound


def test_repeating_the_request_asks_again(chat: Chat) -> None:
    chat.say("删除我的记录")
    chat.say("删除我的记录")
    assert _asked(chat)
    assert not chat.last.forget


@pytest.mark.parametrize("text", ["我想撤诉", "删除一个被告可以吗", "对方把聊天记录删了怎么办"])
def test_court_questions_are_routed_as_usual(chat: Chat, text: str) -> None:
    chat.say(text)
    assert chat.state.form != forget.FORM
    assert "确认删除" not in _buttons(chat)
    assert not chat.last.forget


def test_the_help_text_tells_how_to_ask(chat: Chat) -> None:
    assert "删除我的记录" in chat.text("/help")


def test_a_confirmation_long_after_the_question_asks_again(chat: Chat) -> None:
    chat.say("删除我的记录")
    chat.now += timedelta(minutes=forget.CONFIRM_MINUTES + 1)
    chat.press("确认删除")
    assert not chat.last.forget
    assert _asked(chat)  # the question again, with a fresh clock
    chat.now += timedelta(minutes=1)
    chat.press("确认删除")
    assert chat.last.forget


def test_a_late_typed_confirmation_is_not_taken_for_one(chat: Chat) -> None:
    chat.say("删除我的记录")
    chat.now += timedelta(hours=2)
    chat.say("确认")
    assert not chat.last.forget
    assert chat.state.form != forget.FORM
