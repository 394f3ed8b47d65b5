"""Corrections after an answer: the task just answered is done again with the new value."""

from __future__ import annotations

import pytest

from dialogs.corrections import ASK_WHAT
from nlu.pipeline import NluPipeline
from tests.dialogs.test_engine import Chat

FEE_80K = "借钱不还的 标的8万 诉讼费多少"


@pytest.mark.parametrize(
    "correction", ["不对 是6万", "说错了，是6万", "不是8万是6万", "应该是六万块", "搞错了 6万元"]
)
def test_a_corrected_amount_is_computed_again(nlu_pipeline: NluPipeline, correction: str) -> None:
    chat = Chat(nlu_pipeline)
    assert "按80,000元计算" in chat.text(FEE_80K)
    again = chat.text(correction)
    assert "按60,000元计算" in again and "1,300元" in again


def test_the_denied_value_of_a_correction_is_not_taken(nlu_pipeline: NluPipeline) -> None:
    chat = Chat(nlu_pipeline)
    chat.text("借钱不还的 标的6万 诉讼费多少")
    assert "按80,000元计算" in chat.text("不是6万是8万")


@pytest.mark.parametrize("bare", ["不对", "算错了吧", "好像不对"])
def test_a_bare_not_right_asks_what_and_the_next_value_corrects(
    nlu_pipeline: NluPipeline, bare: str
) -> None:
    chat = Chat(nlu_pipeline)
    chat.text(FEE_80K)
    assert chat.text(bare) == ASK_WHAT["fee"]
    assert "按60,000元计算" in chat.text("是6万")


def test_a_corrected_document_keeps_the_law_and_the_date(nlu_pipeline: NluPipeline) -> None:
    chat = Chat(nlu_pipeline)
    chat.text("判决书11月20号收到的 还能上诉吗")
    assert "民事判决，15日" in chat.text("民事的")
    again = chat.text("应该是裁定")
    assert "民事裁定，10日" in again and "2026-11-20" in again


def test_a_corrected_date_keeps_the_document(nlu_pipeline: NluPipeline) -> None:
    chat = Chat(nlu_pipeline)
    chat.text("判决书11月20号收到的 还能上诉吗")
    chat.text("民事的")
    again = chat.text("不对 是11月25号收到的")
    assert "民事判决，15日" in again and "2026-11-25" in again


def test_without_a_finished_task_or_a_new_value_nothing_is_reopened(
    nlu_pipeline: NluPipeline,
) -> None:
    chat = Chat(nlu_pipeline)
    assert "计算" not in chat.text("不对")  # nothing was answered yet
    chat.text(FEE_80K)
    assert "离婚" in chat.text("离婚要带什么材料")  # another question is answered as such
    assert chat.state.form is None


@pytest.mark.parametrize(
    ("question", "figure"),
    [("那离婚呢", "50元至300元"), ("要是6万呢", "1,300元"), ("那申请执行的话", "1,100元")],
)
def test_what_about_another_value_asks_the_same_question_again(
    nlu_pipeline: NluPipeline, question: str, figure: str
) -> None:
    chat = Chat(nlu_pipeline)
    chat.text(FEE_80K)
    answer = chat.text(question)
    assert figure in answer
    if "离婚" in question:
        assert "80,000元" not in answer  # a loan's amount is no divorce's property


def test_what_about_without_a_value_is_no_correction(nlu_pipeline: NluPipeline) -> None:
    chat = Chat(nlu_pipeline)
    chat.text(FEE_80K)
    assert "受理费" not in chat.text("那上诉呢")
