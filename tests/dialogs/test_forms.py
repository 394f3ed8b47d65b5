"""Forms that understand typed answers, slots from any message and proofs in a sentence.

Litigants type (or dictate) what a button says, name the document and the date in
their first question, and write "查询码是K7M2Q9" rather than the six characters
alone. These run through the whole engine with the real NLU and an in-memory court.
"""

from __future__ import annotations

import pytest

from dialogs.choices import Choice, match, ordinal
from nlu.pipeline import NluPipeline
from tests.dialogs.test_engine import CASE, Chat

DEADLINE = '/appeal{"flow":"deadline"}'
PROOF_QUESTION = "查询码（6位）"
WHERE = ("受理案件通知书", "传票", "判决书", "裁定书")


@pytest.fixture
def chat(nlu_pipeline: NluPipeline) -> Chat:
    return Chat(nlu_pipeline)


def titles(chat: Chat) -> list[str]:
    return [b.title for r in chat.last.replies for b in r.buttons]


# --- typed choices -----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "民事判决",
        "民事判决书",
        "民事判决。",
        "第一个",
        "第1个",
        "1",
        "１",
        "一",
        "选第一个",
        "民事的判决",
        "民事判决吧",
    ],
)
def test_a_typed_title_or_place_acts_as_the_deadline_button(chat: Chat, typed: str) -> None:
    assert "哪一种" in chat.text(DEADLINE)
    assert "哪天" in chat.text(typed)
    assert chat.state.slots["kind"] == "appeal_civil_judgment"


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("最后一个", "appeal_administrative_ruling"),
        ("第四个", "appeal_criminal_ruling"),
        ("刑事的那个裁定", "appeal_criminal_ruling"),
        ("行政裁定书", "appeal_administrative_ruling"),
        ("3", "appeal_criminal_judgment"),
    ],
)
def test_other_places_and_words_pick_their_kind(chat: Chat, typed: str, kind: str) -> None:
    chat.say(DEADLINE)
    chat.say(typed)
    assert chat.state.slots["kind"] == kind
    assert chat.state.requested == "from"


@pytest.mark.parametrize(("typed", "left"), [("判决", 3), ("民事", 2), ("裁定的", 3)])
def test_a_word_of_several_titles_asks_once_more_with_those_only(
    chat: Chat, typed: str, left: int
) -> None:
    chat.say(DEADLINE)
    answer = chat.text(typed)
    assert len(titles(chat)) == left
    assert "序号" in answer  # an example of how to answer
    assert chat.state.form == "deadline"


def test_the_narrowed_question_is_answered_by_the_other_word(chat: Chat) -> None:
    chat.say(DEADLINE)
    chat.say("判决")
    assert "哪天" in chat.text("民事的")
    assert chat.state.slots["kind"] == "appeal_civil_judgment"


def test_the_third_miss_offers_a_person_instead_of_the_same_question(chat: Chat) -> None:
    question = chat.text(DEADLINE)
    second = chat.text("不清楚")
    assert "按钮" in second and "序号" in second  # asked once more, with an example
    third = chat.text("嗯")
    assert third != question and "哪一种裁判文书" not in third
    assert "转人工" in third and "转人工" in titles(chat)
    assert "民事判决" in titles(chat)  # the choices stay on offer
    assert chat.state.form == "deadline"


@pytest.mark.parametrize(
    ("typed", "expect"),
    [
        ("第二个", "离婚案件受理费"),
        ("2", "离婚案件受理费"),
        ("劳动", "劳动争议案件受理费"),
        ("劳动争议的", "劳动争议案件受理费"),
        ("执行", "金额"),
        ("申请执行吧", "金额"),
    ],
)
def test_fee_kind_buttons_can_be_typed(chat: Chat, typed: str, expect: str) -> None:
    assert "哪一类" in chat.text("/fee_calculation")
    assert expect in chat.text(typed)


@pytest.mark.parametrize("typed", ["2", "第二个", "算诉讼费"])
def test_a_menu_button_can_be_typed_outside_a_form(chat: Chat, typed: str) -> None:
    chat.say("你好")
    assert "哪一类" in chat.text(typed)
    assert chat.state.form == "fee"


def test_a_typed_button_of_another_flow_leaves_the_form(chat: Chat) -> None:
    chat.say("/fee_calculation")
    chat.say("不清楚")
    chat.say("嗯")  # the third miss: the buttons and 转人工
    chat.say("转人工")
    assert chat.last.handoff is not None


def test_choices_match_only_what_they_were_offered() -> None:
    offered = [Choice("离婚", "/a"), Choice("劳动争议", "/b")]
    assert match("离婚的", offered, fuzzy=True).chosen == offered[0]
    assert match("离婚的", offered, fuzzy=False).chosen == offered[0]  # particles aside
    assert match("离婚案子", offered, fuzzy=False).chosen is None  # loose only in a form
    assert match("离婚案子", offered, fuzzy=True).chosen == offered[0]
    assert match("離婚", offered, fuzzy=False).chosen == offered[0]  # traditional script
    assert match("天气", offered, fuzzy=True) == match("", offered, fuzzy=True)
    assert ordinal("第三个", 2) is None and ordinal("十", 12) == 9 and ordinal("最后", 2) == 1
    assert ordinal("5号", 6) is None  # far more often a day of the month than a place
    assert match("2", offered, fuzzy=True, places=False).chosen is None


# --- slots from any message --------------------------------------------------------


@pytest.mark.parametrize(
    "first", ["判决书11月20号收到的 还能上诉吗", "11月20号收到的判决书，想上诉，还来得及吗"]
)
def test_the_first_message_names_the_document_and_the_date(chat: Chat, first: str) -> None:
    answer = chat.text(first)
    assert "民事、刑事还是行政" in answer
    assert titles(chat) == ["民事判决", "刑事判决", "行政判决"]
    assert chat.state.slots["from"] == "2026-11-20"
    assert "2026-12-07" in chat.text("民事的")  # 15 days from 11-21 → Sat 12-05 → Mon 12-07


def test_law_and_date_first_then_the_document(chat: Chat) -> None:
    chat.say(DEADLINE)
    answer = chat.text("行政的，11月20号收到")
    assert "行政判决，还是行政裁定" in answer
    assert "2026-12-07" in chat.text("判决")


def test_the_date_may_come_before_the_kind(chat: Chat) -> None:
    chat.say(DEADLINE)
    assert "哪一种" in chat.text("11月20号收到的")
    assert "2026-12-07" in chat.text("第一个")


# --- the proof inside a sentence, with the case number -----------------------------


@pytest.mark.parametrize(
    "message",
    [
        "案号（2025）内0602民初1234号 查询码K7M2Q9 查一下",
        "（2025）内0602民初1234号，身份证后六位011238，帮我查进度",
        "帮我查下案子进度（2025）内0602民初1234号 011238",
    ],
)
def test_case_number_and_proof_in_one_message_look_up_at_once(chat: Chat, message: str) -> None:
    answer = chat.text(message)
    assert "审理中" in answer
    assert chat.court.calls == 1
    assert chat.last.redact_inbound  # the proof is never stored verbatim


@pytest.mark.parametrize(
    "proof",
    [
        "查询码是K7M2Q9",
        "我的查询码：k7m2q9",
        "查询码 K7M2Q9",
        "身份证后六位是011238",
        "身份证号码最后六位 011238",
        "后6位011238",
        "身份证尾号011238",
        "是K7M2Q9",
        "ｋ７ｍ２ｑ９",
    ],
)
def test_a_proof_inside_a_sentence_is_taken(chat: Chat, proof: str) -> None:
    chat.say("查案件进度")
    assert PROOF_QUESTION in chat.text(CASE)
    answer = chat.text(proof)
    assert "审理中" in answer
    assert chat.last.redact_inbound


def test_a_wrong_proof_in_a_sentence_counts_like_any_wrong_proof(chat: Chat) -> None:
    chat.say("查案件进度")
    chat.say(CASE)
    assert "不匹配" in chat.text("身份证后六位是00000X")
    assert chat.last.redact_inbound and chat.court.calls == 1


def test_no_existence_oracle_when_number_and_proof_come_together(
    nlu_pipeline: NluPipeline,
) -> None:
    real, fake = Chat(nlu_pipeline), Chat(nlu_pipeline)
    first = real.text("（2025）内0602民初1234号 查询码000000")
    second = fake.text("（2025）内0602民初9999号 查询码000000")
    assert first == second and "不匹配" in first


def test_a_proof_before_the_case_number_is_not_kept(chat: Chat) -> None:
    chat.say("查案件进度")
    answer = chat.text("查询码K7M2Q9")
    assert "请先发送案号" in answer
    assert chat.last.redact_inbound and chat.court.calls == 0
    assert "K7M2Q9" not in str(chat.state.to_dict())
    assert PROOF_QUESTION in chat.text(CASE)  # asked again: it was not kept


def test_digits_of_the_case_number_are_never_a_proof(chat: Chat) -> None:
    chat.say("查案件进度")
    assert PROOF_QUESTION in chat.text("（2025）内0602民初123456号")
    assert chat.court.calls == 0


# --- no case number at hand --------------------------------------------------------


@pytest.mark.parametrize(
    "message", ["我不知道案号", "案号忘了", "找不到案号了", "案号在哪里看", "忘了", "不记得了"]
)
def test_no_case_number_gets_where_it_is_printed(chat: Chat, message: str) -> None:
    chat.say("查案件进度")
    answer = chat.text(message)
    assert "好像不对" not in answer
    assert all(place in answer for place in WHERE)
    assert "转人工" in titles(chat)
    assert chat.state.form == "case_status"


def test_a_second_unknown_answer_offers_a_person(chat: Chat) -> None:
    chat.say("查案件进度")
    first = chat.text("不知道案号")
    second = chat.text("真的找不到")
    assert second != first and "转人工" in second and "转人工" in titles(chat)


@pytest.mark.parametrize("message", ["abc", "没带着", "哪个号"])
def test_text_that_is_no_case_number_is_not_called_a_wrong_one(chat: Chat, message: str) -> None:
    chat.say("查案件进度")
    assert "好像不对" not in chat.text(message)


def test_a_mistyped_case_number_is_still_called_wrong(chat: Chat) -> None:
    chat.say("查案件进度")
    assert "好像不对" in chat.text("内0602民初1234")


def test_no_proof_at_hand_offers_the_other_proof_and_a_person(chat: Chat) -> None:
    chat.say("查案件进度")
    chat.say(CASE)
    answer = chat.text("查询码忘了")
    assert "身份证号的最后六位" in answer and "转人工" in titles(chat)
    assert chat.state.form == "case_status" and chat.court.calls == 0


def test_a_wechat_style_reply_number_picks_the_button(chat: Chat) -> None:
    chat.say(DEADLINE)
    chat.say("回复2")
    assert chat.state.slots["kind"] == "appeal_civil_ruling"


@pytest.mark.parametrize("message", ["忘了", "不记得了"])
def test_an_unsure_cancel_inside_a_form_is_an_answer_not_a_cancel(chat: Chat, message: str) -> None:
    chat.say(DEADLINE)
    chat.say("第一个")
    assert "没看懂这个日期" in chat.text(message)
    assert chat.state.form == "deadline"
    assert "好的，已取消" in chat.text("算了")  # a sure cancel still cancels


@pytest.mark.parametrize(
    "message",
    [
        "（2025）内0602民初1234号 查询码K7M2Q9",
        "（2025）内0602民初1234号，身份证尾号011238",
        "（2025）内0602民初1234号 查询码k7m2q9 谢谢",
    ],
)
def test_a_case_number_with_a_named_proof_is_a_lookup_even_when_the_nlu_is_unsure(
    chat: Chat, message: str
) -> None:
    assert "审理中" in chat.text(message)
    assert chat.last.redact_inbound


def test_a_named_proof_is_masked_whatever_answers_it(chat: Chat) -> None:
    chat.say("你好")
    chat.say("我的查询码是K7M2Q9")
    assert chat.last.redact_inbound


def test_a_third_unknown_answer_ends_the_lookup_with_a_person_on_offer(chat: Chat) -> None:
    chat.say("查案件进度")
    chat.say("没有案号")
    second = chat.text("不知道啊")
    third = chat.text("还是不知道")
    assert third != second and chat.state.form is None
    assert "转人工" in titles(chat)


def test_after_a_wrong_proof_in_the_first_message_the_next_proof_is_read(chat: Chat) -> None:
    first = chat.text("查进度 案号是（2025）内0602民初1234号 我的身份证后6位是01123x")
    assert "不匹配" in first and chat.last.redact_inbound
    assert "审理中" in chat.text("011238")


def test_case_money_with_number_and_proof_in_one_message(chat: Chat) -> None:
    answer = chat.text("查案款 （2025）内0602民初1234号 查询码K7M2Q9")
    assert "案款 50,000元" in answer
    assert chat.court.calls == 1 and chat.last.redact_inbound
