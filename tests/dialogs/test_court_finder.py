"""The court-finder flow through the whole engine (real NLU, in-memory court)."""

from __future__ import annotations

import pytest

from dialogs.flows.court_finder import KEY, LIMIT, describe
from knowledge.court_finder import load_court_finder
from nlu.pipeline import NluPipeline
from tests.dialogs.test_engine import Chat
from tests.knowledge.test_court_finder import BANNERS, RULE_ROLES


@pytest.fixture
def chat(nlu_pipeline: NluPipeline) -> Chat:
    return Chat(nlu_pipeline)


def titles(chat: Chat) -> list[str]:
    return [b.title for r in chat.last.replies for b in r.buttons]


@pytest.mark.parametrize(("rule", "role"), RULE_ROLES)
def test_every_answer_is_short_and_carries_its_basis_and_the_reminder(rule: str, role: str) -> None:
    finder = load_court_finder()
    for name, _, _ in BANNERS:
        place = finder.gazetteer.by_name(name)
        assert place is not None
        other = finder.gazetteer.by_name("包头")
        assert other is not None
        finding = finder.find(rule, [(role, place), ("defendant_home", other)], agreement=True)
        text = describe(finding, {"known": False, "tribunal": True})
        assert len(text) <= LIMIT, text
        assert "具体以法院立案审查为准" in text
        assert finding.rule.basis.split("；")[0].split("、")[0][:6] in text


def test_one_question_then_the_court(chat: Chat) -> None:
    asked = chat.text("该去哪个法院告")
    assert "住在哪个旗区" in asked
    assert titles(chat)[-1] == "不在鄂尔多斯" and len(titles(chat)) == 10
    assert chat.state.facts[KEY]["asked"] == "defendant_home"
    answer = chat.text("达旗")
    assert "达拉特旗人民法院" in answer
    assert KEY not in chat.state.facts
    assert chat.state.topic == "file_civil_case"  # "那要带啥" afterwards: filing


def test_a_question_not_answered_is_let_go(chat: Chat) -> None:
    chat.say("该去哪个法院告")
    text = chat.text("怎么网上立案")
    assert "住在哪个旗区" not in text
    assert KEY not in chat.state.facts


def test_a_place_typed_later_without_the_question_is_no_answer(chat: Chat) -> None:
    chat.say("该去哪个法院告")
    chat.say("你好")  # the menu: the finder's buttons are gone
    assert "人民法院起诉" not in chat.text("达旗")


def test_the_second_vague_answer_gets_the_general_rule_and_the_desk(chat: Chat) -> None:
    chat.say("该去哪个法院告")
    assert "哪个旗区" in chat.text("鄂尔多斯")
    text = chat.text("鄂尔多斯")
    assert "12368" in text and "转人工" in titles(chat)


def test_a_place_after_a_dispute_path_names_the_court_by_its_rule(chat: Chat) -> None:
    assert "房屋所在地" in chat.text("房东不退押金 该去哪个法院告他")  # the dispute path
    text = chat.text("房子在伊旗")
    assert "伊金霍洛旗人民法院" in text and "专属管辖" in text


def test_the_jurisdiction_sections_still_answer_their_text(chat: Chat) -> None:
    text = chat.text('/jurisdiction{"section":"notes"}')
    assert "管辖权异议" in text


def test_the_jurisdiction_objection_is_not_a_finder_question(chat: Chat) -> None:
    assert "哪个旗区" not in chat.text("管辖权异议 咋提")
