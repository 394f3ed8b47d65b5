"""The whole NLU as a litigant meets it: Rasa's parse shape, robustness, entities in context."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from knowledge.intents import INTENTS
from nlu.pipeline import NluPipeline


def check_shape(result: dict[str, Any], text: str) -> None:
    assert result["text"] == text
    assert isinstance(result["intent"]["name"], str)
    assert 0.0 <= result["intent"]["confidence"] <= 1.0
    ranking = result["intent_ranking"]
    assert 1 <= len(ranking) <= 10
    assert ranking[0]["name"] == result["intent"]["name"]
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)
    for entity in result["entities"]:
        assert text[entity["start"] : entity["end"]] == entity["text"]
        assert {"entity", "value", "start", "end"} <= entity.keys()


def test_model_knows_exactly_the_contract_intents(nlu_pipeline: NluPipeline) -> None:
    assert sorted(nlu_pipeline.model.intents) == sorted(INTENTS)


def test_ranking_has_ten_entries(nlu_pipeline: NluPipeline) -> None:
    result = nlu_pipeline.parse("标的5万诉讼费多少")
    check_shape(result, "标的5万诉讼费多少")
    assert len(result["intent_ranking"]) == 10


@pytest.mark.parametrize(
    ("variants", "intent"),
    [
        (["诉讼费怎么交", "訴訟費怎麼交", "诉讼费怎么交？", "诉讼废怎么交"], "fee_payment"),
        (
            ["判决书看不懂想问法官", "判決書看不懂想問法官", "判绝书看不懂想问法官"],
            "judgment_question",
        ),
        (
            ["我想起诉他要带什么材料", "我想起述他要带什么材料", "我想起訴他要帶什麼材料"],
            "file_civil_case",
        ),
        (["执行款到账了吗", "執行款到賬了嗎", "执形款到账了吗"], "case_payment"),
        (["转人工", "轉人工", "ＺＨＵＡＮ 转人工"], "request_human"),
    ],
)
def test_same_question_in_any_script_or_width_or_typo_gets_one_intent(
    nlu_pipeline: NluPipeline, variants: list[str], intent: str
) -> None:
    assert {nlu_pipeline.parse(v)["intent"]["name"] for v in variants} == {intent}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \t\n ",
        "😀😀😀🙏",
        "\x00\x01\x02\xff\ufffd" * 20,
        "asdkjh qwe zzz",
        "Hello 你好 Привет مرحبا",
        "借钱不还怎么办" * 720,  # 5,040 characters
        "ＡＢＣ１２３？？？",
        "[]{}()<>",
    ],
)
def test_any_input_returns_a_valid_parse(nlu_pipeline: NluPipeline, text: str) -> None:
    check_shape(nlu_pipeline.parse(text), text)


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "\x00\x01\x02", "zzzz qqqq"])
def test_nothing_to_understand_is_low_confidence_out_of_scope(
    nlu_pipeline: NluPipeline, text: str
) -> None:
    result = nlu_pipeline.parse(text)
    assert result["intent"]["name"] == "out_of_scope"
    assert result["intent"]["confidence"] < 0.5


def test_entities_come_with_canonical_values_and_typed_spans(nlu_pipeline: NluPipeline) -> None:
    text = "我在东胜法院的案子(2024)内0602民初1234 标的十二万三千 昨天开庭"
    now = datetime(2026, 11, 26, 10, 0)
    result = nlu_pipeline.parse(text, now=now)
    check_shape(result, text)
    found = {e["entity"]: e["value"] for e in result["entities"]}
    assert found["case_number"] == "（2024）内0602民初1234号"
    assert found["court"] == "鄂尔多斯市东胜区人民法院"
    assert found["amount"] == 123000
    assert found["date"] == "2026-11-25"


def test_everyday_words_give_the_case_category(nlu_pipeline: NluPipeline) -> None:
    found = {e["entity"]: e["value"] for e in nlu_pipeline.parse("朋友借钱不还咋整")["entities"]}
    assert found.get("case_category") == "民间借贷纠纷"


def test_personal_numbers_are_recognised(nlu_pipeline: NluPipeline) -> None:
    text = "我手机13800001234 身份证11010519491231002X"
    found = {e["entity"]: e["value"] for e in nlu_pipeline.parse(text)["entities"]}
    assert found == {"phone": "13800001234", "id_number": "11010519491231002X"}
