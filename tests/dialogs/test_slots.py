"""Malformed slot values from payloads and extractors: a polite answer, never an exception."""

from __future__ import annotations

from datetime import date

import pytest

from dialogs.payload import parse_payload, payload
from dialogs.slots import BAD_CASE_NUMBER, BAD_CHOICE, BAD_DATE, check_parse
from knowledge.intents import INTENTS
from knowledge.limits import NOT_A_NUMBER, NOT_POSITIVE, TOO_LARGE
from nlu.pipeline import NluPipeline
from tests.dialogs.test_engine import Chat

TODAY = date(2026, 11, 26)
KNOWN = frozenset(INTENTS)
KIND = "appeal_civil_judgment"


def entities(*pairs: tuple[str, object]) -> dict[str, object]:
    return {"text": "", "entities": [{"entity": k, "value": v} for k, v in pairs]}


def test_valid_values_are_rewritten_to_the_form_flows_expect() -> None:
    checked, refused = check_parse(
        entities(("amount", 50000), ("amount", "12345.60"), ("date", "2026-11-20")), TODAY
    )
    assert refused == []
    assert [e["value"] for e in checked["entities"]] == ["50000", "12345.6", "2026-11-20"]


@pytest.mark.parametrize(
    ("entity", "value", "reason"),
    [
        ("amount", "1e309", TOO_LARGE),
        ("amount", "-50000", NOT_POSITIVE),
        ("amount", {"a": [1]}, NOT_A_NUMBER),
        ("date", "2026-13-45", BAD_DATE),
        ("date", "99999-01-01", BAD_DATE),
        ("date", 20261120, BAD_DATE),
        ("case_number", "abc", BAD_CASE_NUMBER),
        ("fee_kind", {"a": [1]}, BAD_CHOICE),
        ("fee_kind", "x" * 1000, BAD_CHOICE),
        ("deadline_kind", "nope", BAD_CHOICE),
        ("template", 10**30, BAD_CHOICE),
        ("template", True, BAD_CHOICE),
        ("section", None, BAD_CHOICE),
    ],
)
def test_bad_values_are_refused_with_a_reason(entity: str, value: object, reason: str) -> None:
    checked, refused = check_parse(entities((entity, value)), TODAY)
    assert checked["entities"] == []
    assert [(r.entity, r.reason.rstrip("。")) for r in refused] == [(entity, reason.rstrip("。"))]


def test_unknown_entities_never_reach_a_flow() -> None:
    checked, refused = check_parse(entities(("__class__", "x")), TODAY)
    assert checked["entities"] == [] and refused == []


@pytest.mark.parametrize(
    "text",
    [
        '/fee_calculation{"amount":' + "[" * 100_000 + "]" * 100_000 + "}",
        '/fee_calculation{"amount":' + "9" * 5000 + "}",
        '/fee_calculation{"amount":}',
    ],
)
def test_payloads_that_are_no_json_object_are_plain_text(text: str) -> None:
    parsed = parse_payload(text, KNOWN)
    if parsed is not None:  # a huge integer stays text, for the slot check to refuse
        assert parsed["entities"] == [{"entity": "amount", "value": "9" * 5000}]


def test_payload_numbers_never_become_floats() -> None:
    parsed = parse_payload('/fee_calculation{"amount":1e309,"b":NaN,"c":0.1,"d":[1]}', KNOWN)
    assert parsed is not None
    assert [e["value"] for e in parsed["entities"]] == ["1e309", "NaN", "0.1", None]


@pytest.fixture
def chat(nlu_pipeline: NluPipeline) -> Chat:
    return Chat(nlu_pipeline)


@pytest.mark.parametrize(
    "message",
    [
        '/fee_calculation{"fee_kind":"property","amount":"1e309"}',
        '/fee_calculation{"fee_kind":"property","amount":1e309}',
        '/fee_calculation{"fee_kind":"property","amount":"9999999999999999999"}',
        "借款纠纷 标的123456789012345678901234567890元 诉讼费多少",
        "借款纠纷 标的9999999999999999999元 诉讼费多少",
        "借款纠纷 标的1e20元 诉讼费多少",
    ],
)
def test_a_huge_amount_is_asked_again(chat: Chat, message: str) -> None:
    answer = chat.text(message)
    assert answer.startswith("金额太大了，请核对后重新输入")
    assert chat.state.form == "fee" and chat.state.requested == "amount"
    assert "1,050元" in chat.text("5万")  # the form goes on with a good amount


def test_a_negative_amount_is_asked_again(chat: Chat) -> None:
    assert chat.text("借款纠纷 标的-5万 诉讼费多少").startswith("金额应当大于零")
    assert chat.state.requested == "amount"


def test_a_huge_amount_inside_the_open_form(chat: Chat) -> None:
    chat.text('/fee_calculation{"fee_kind":"property"}')
    assert chat.text("1e20元").startswith("金额太大了")
    assert chat.state.form == "fee"


def test_a_slot_of_the_wrong_type_asks_again(chat: Chat) -> None:
    answer = chat.text('/fee_calculation{"fee_kind":{"a":[1]}}')
    assert answer.startswith(BAD_CHOICE)
    assert chat.state.requested == "kind"


@pytest.mark.parametrize("day", ["2026-13-45", "99999-01-01", "2026-02-30", "x"])
def test_an_impossible_date_asks_again(chat: Chat, day: str) -> None:
    answer = chat.text(payload("appeal", flow="deadline", deadline_kind=KIND, date=day))
    assert answer.startswith(BAD_DATE)
    assert chat.state.requested == "from"
    assert "最后一天" in chat.text("2026年11月20日")


def test_a_date_far_away_is_answered_by_the_calculator(chat: Chat) -> None:
    answer = chat.text('/appeal{"flow":"deadline","deadline_kind":"appeal_civil_judgment"}')
    assert "哪天" in answer
    assert "超出可计算范围" in chat.text("1990年1月1日收到的")


def test_an_unknown_deadline_kind_asks_which(chat: Chat) -> None:
    answer = chat.text('/appeal{"flow":"deadline","deadline_kind":"nope","date":"2026-11-20"}')
    assert answer.startswith(BAD_CHOICE) and "哪一种裁判文书" in answer


def test_a_bad_case_number_from_a_payload_is_not_looked_up(chat: Chat) -> None:
    assert chat.text('/case_status{"case_number":"abc"}').startswith(BAD_CASE_NUMBER)
    assert chat.state.requested == "case_number"
    assert chat.court.calls == 0


def test_a_huge_template_number_asks_for_words(chat: Chat) -> None:
    answer = chat.text('/pleading_template{"template":99999999999999999999999}')
    assert answer.startswith(BAD_CHOICE) and "什么纠纷" in answer


def test_a_refused_value_outside_any_form_is_ignored(chat: Chat) -> None:
    answer = chat.text('/request_human{"amount":"1e309"}')
    assert "人工" in answer and "金额" not in answer
