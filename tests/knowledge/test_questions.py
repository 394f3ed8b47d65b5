"""The question bank: load-time checks, and retrieval quality on held-out paraphrases."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.loader import KnowledgeDataError
from knowledge.questions import ANSWER_LIMIT, load_questions, parse_entries
from nlu.qbank import QuestionIndex, top1_accuracy

HELDOUT = yaml.safe_load((Path(__file__).parent / "qbank_heldout.yml").read_text("utf-8"))


def entry(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "demo",
        "question": "小额诉讼能上诉吗",
        "paraphrases": ["小额官司能上诉吗", "小额案子判了能二审吗"],
        "answer": "不能上诉，可以向原审法院申请再审。",
        "source": ["LRB-CPL23 art.165"],
        "tag": "V",
    }
    base.update(overrides)
    return base


@pytest.fixture(scope="module")
def index() -> QuestionIndex:
    return QuestionIndex(load_questions(None))


def test_bank_has_at_least_300_sourced_entries() -> None:
    bank = load_questions(None)
    assert len(bank) >= 300
    for question in bank:
        assert question.sources and len(question.answer) <= ANSWER_LIMIT
        assert 2 <= len(question.paraphrases) <= 5


def test_bank_covers_referrals_and_small_claims() -> None:
    bank = load_questions(None)
    for key in ("sc_no_appeal", "ref_id_card", "ref_marriage", "ref_12348", "ab_notice_days"):
        assert key in bank
    assert "不能上诉" in bank.get("sc_no_appeal").answer
    assert "可以上诉" not in bank.get("sc_no_appeal").answer
    assert "30日" in bank.get("ab_notice_days").answer


def test_no_answer_says_time_barred() -> None:
    for question in load_questions(None):
        assert "已过时效" not in question.answer  # disputes.md §0.13
        assert "已经过了时效" not in question.answer


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"source": ["P-NOWHERE"]}, "unknown source key"),
        ({"source": []}, "source missing"),
        ({"tag": "X"}, "tag"),
        ({"answer": "长" * (ANSWER_LIMIT + 1)}, "limit 300"),
        ({"tag": "U"}, "以法院公告为准"),
        ({"paraphrases": ["只有一种说法"]}, "paraphrases"),
        ({"answer": "请拨打13812345678咨询。"}, "phone number"),
        ({"answer": "详见 http://example.org"}, "web addresses"),
        ({"intent": "no_such_intent"}, "unknown intent"),
        ({"buttons": ["nope"]}, "known intents"),
        ({"id": "Bad-Id"}, "bad id"),
        ({"colour": "red"}, "unknown fields"),
    ],
)
def test_bad_entries_are_refused_naming_the_entry(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(KnowledgeDataError) as caught:
        parse_entries([entry(**overrides)], "config/questions.yaml")
    assert message in str(caught.value)
    assert "config/questions.yaml" in str(caught.value)


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(KnowledgeDataError, match="duplicate id: demo"):
        parse_entries([entry(), entry()], "x.yaml")


def test_section_references_are_sources() -> None:
    parsed = parse_entries([entry(source="disputes §2.1; facts §5.10")], "x.yaml")
    assert parsed[0].sources == ("disputes §2.1", "facts §5.10")


def test_court_config_adds_replaces_and_disables(tmp_path: Path) -> None:
    config = {
        "questions": [
            entry(
                id="local_parking",
                question="法院有停车场吗",
                tag="U",
                answer="停车安排以法院公告为准。",
                source=["seed"],
            ),
            entry(id="sc_no_appeal", answer="小额诉讼一审终审，不能上诉。"),
        ],
        "disabled": ["misc_mongolian"],
    }
    (tmp_path / "questions.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    bank = load_questions(tmp_path)
    assert "local_parking" in bank and "misc_mongolian" not in bank
    assert bank.get("sc_no_appeal").answer == "小额诉讼一审终审，不能上诉。"
    assert bank.get("sc_no_appeal").origin.endswith("questions.yaml")


def test_court_config_unknown_disabled_id_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "questions.yaml").write_text("disabled: [no_such_entry]\n", "utf-8")
    with pytest.raises(KnowledgeDataError, match="no_such_entry"):
        load_questions(tmp_path)


def test_heldout_file_is_other_words() -> None:
    bank = load_questions(None)
    said = {text for question in bank for text in question.texts}
    assert len(HELDOUT["cases"]) >= 100
    for case in HELDOUT["cases"]:
        assert case["id"] in bank, case
        assert case["text"] not in said, case


def test_heldout_top1_at_least_090(index: QuestionIndex) -> None:
    cases = [(case["text"], case["id"]) for case in HELDOUT["cases"]]
    assert top1_accuracy(index, cases) >= 0.9


@pytest.mark.parametrize("text", HELDOUT["unrelated"])
def test_unrelated_messages_score_below_threshold(index: QuestionIndex, text: str) -> None:
    assert index.best(text) is None


def test_small_claims_question_is_specific_and_above_threshold(index: QuestionIndex) -> None:
    hit = index.best("小额诉讼判了能上诉吗", specific_only=True)
    assert hit is not None and hit.question.id == "sc_no_appeal"


def test_generic_appeal_question_is_no_specific_hit(index: QuestionIndex) -> None:
    hit = index.best("我要上诉", specific_only=True)
    assert hit is None or hit.question.id != "sc_no_appeal"
