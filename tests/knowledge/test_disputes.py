"""Dispute paths (knowledge/data/disputes.yaml): every entry complete and sourced, the
loader's checks refusing what the answers promise never to say."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from knowledge.disputes import (
    COURT_RULES,
    LIMITATION_RULES,
    SUMMARY_LIMIT,
    disputes_from_text,
    fee_text,
    load_disputes,
    summary,
)
from knowledge.fees import load_fee_schedule
from knowledge.loader import KnowledgeDataError, load_data
from knowledge.model_texts import load_model_texts

#: disputes.md §1.4 A–T (P–R are contract rules of other entries) and the labour sub-routes.
EXPECTED = {
    "labour",
    "labour_award",
    "work_injury",
    "divorce",
    "private_loan",
    "sale",
    "house_lease",
    "property_fee",
    "traffic",
    "injury",
    "neighbour",
    "inheritance",
    "support",
    "construction",
    "service_contract",
    "consumer",
    "reputation",
    "administrative",
    "private_prosecution",
}
BOOK = load_disputes()


def test_every_dispute_type_has_an_entry() -> None:
    assert set(BOOK.keys()) == EXPECTED


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_entry_has_every_required_field(key: str) -> None:
    dispute = BOOK.get(key)
    assert dispute.title and dispute.words
    assert dispute.first.text and dispute.court.fact.text and dispute.limitation.fact.text
    assert dispute.court.rules and all(rule in COURT_RULES for rule in dispute.court.rules)
    assert dispute.limitation.rules[0] in LIMITATION_RULES
    assert dispute.fee.kind is None or dispute.fee.kind in load_fee_schedule().kinds
    materials = dispute.section("materials")
    assert materials is not None and materials.items
    for fact in dispute.facts():
        assert fact.source and fact.tag in "VSIU"
        assert "已过时效" not in fact.text and "告不了了" not in fact.text
    for number in dispute.template_numbers:
        assert load_model_texts().by_number(number) is not None
    for category in dispute.case_categories:
        assert load_model_texts().by_name(category) is not None, category


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_first_message_fits_a_phone(key: str) -> None:
    dispute = BOOK.get(key)
    for amount in (None, Decimal(50000), Decimal(9_999_999)):
        shown = summary(dispute, amount, defendant=BOOK.defendant)
        assert len(shown) <= SUMMARY_LIMIT, (key, amount, len(shown))
        for part in ("先做什么", "哪个法院", "时效期限", "费用"):
            assert part in shown


def test_fee_figures_come_from_the_calculator() -> None:
    assert "每件10元" in fee_text(BOOK.get("labour"))
    assert "每件50元" in fee_text(BOOK.get("administrative"))
    assert "50元至300元" in fee_text(BOOK.get("divorce"))
    assert "100元至500元" in fee_text(BOOK.get("reputation"))
    loan = fee_text(BOOK.get("private_loan"), Decimal(50000), halved=True)
    assert "1,050元" in loan and "525元" in loan
    assert "1万元以内每件50元" in fee_text(BOOK.get("private_loan"))
    assert "免交" in fee_text(BOOK.get("support"))
    assert "不交案件受理费" in fee_text(BOOK.get("private_prosecution"))


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("公司欠我三个月工资", "labour"),
        ("邻居家漏水把我家淹了", "neighbour"),
        ("闺女想离婚 男的老打她 咋整", "divorce"),
        ("被车撞了 对方不赔", "traffic"),
        ("物业费不交被告了", "property_fee"),
        ("仲裁输了 我不服 还能去法院吗 有几天", "labour_award"),
        ("干活摔伤了 公司不给报工伤 我自己能去办吗", "work_injury"),
        ("退休了返聘 厂里不给钱 能劳动仲裁吗", "service_contract"),
        ("给私人老板干装修 包工头跑了 去哪要钱", "construction"),
        ("爸爸走了 房子在东胜 哥在外地不给分 去哪告", "inheritance"),
        ("儿子不给养老钱 告他要交诉讼费吗", "support"),
        ("网上买的东西是假的 店家在外省 能在本地告吗", "consumer"),
        ("有人在群里造谣骂我 能起诉吗 去哪", "reputation"),
        ("被城管罚款了不服 必须先复议吗", "administrative"),
        ("被人打成轻伤 派出所不管 我能自己去法院告吗", "private_prosecution"),
        ("房东不退押金 合同写的在他老家法院解决 有效吗", "house_lease"),
        ("借给朋友五万 去哪个法院告他", "private_loan"),
        ("他欠我货款3万5", "sale"),
        ("在医院做手术出了事 一定要先调解吗", "injury"),
    ],
)
def test_words_people_use_reach_the_entry(text: str, key: str) -> None:
    found = BOOK.match(text)
    assert found is not None and found.dispute.key == key


def test_case_category_alone_reaches_the_entry() -> None:
    found = BOOK.match("这事咋办", "物业服务合同纠纷")
    assert found is not None and found.dispute.key == "property_fee"
    assert BOOK.match("这事咋办") is None


def _raw() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(yaml.safe_dump(load_data("disputes.yaml"), allow_unicode=True))


def _load(raw: dict) -> None:  # type: ignore[type-arg]
    disputes_from_text(yaml.safe_dump(raw, allow_unicode=True), "<test>")


def test_the_shipped_file_loads_from_text() -> None:
    _load(_raw())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e["first"].pop("source"), "source"),
        (lambda e: e["first"].update(source="百度百科"), "来源"),
        (lambda e: e["first"].update(tag="X"), "tag"),
        (lambda e: e["first"].update(tag="U"), "以法院公告为准"),
        (lambda e: e["first"].update(text="过了3年就已过时效，法院不收"), "已过时效"),
        (lambda e: e["first"].update(text="这官司肯定能赢"), "肯定能赢"),
        (lambda e: e["first"].update(text="请拨打0477123456"), "电话"),
        (lambda e: e["first"].update(text="详见 https://example.org"), "网址"),
        (lambda e: e["court"].update(rule=["nowhere"]), "未知规则"),
        (lambda e: e["limitation"].update(rule="forever"), "未知规则"),
        (lambda e: e["fee"].update(kind="lottery"), "未知费用种类"),
        (lambda e: e["fee"].update(text="每件10元"), "{fee}"),
        (lambda e: e.update(template_numbers=[99]), "1–67"),
        (lambda e: e.update(words=[]), "词语"),
        (lambda e: e.pop("limitation"), "缺少字段"),
        (lambda e: e.update(colour="red"), "未知字段"),
        (
            lambda e: e["sections"].update(gossip=[{"text": "x", "source": "LRB-CC", "tag": "V"}]),
            "未知的部分",
        ),
        (lambda e: e["first"].update(text="很长" * 150), "上限"),
    ],
)
def test_loader_refuses_a_broken_entry(change, message: str) -> None:  # type: ignore[no-untyped-def]
    raw = _raw()
    change(raw["disputes"]["labour"])
    with pytest.raises(KnowledgeDataError) as error:
        _load(raw)
    assert message in str(error.value)
    assert "labour" in str(error.value) or message in ("{fee}",)


def test_unverified_fact_may_ask_to_confirm_with_the_court() -> None:
    raw = _raw()
    raw["disputes"]["labour"]["first"].update(text="具体窗口请向受理法院确认。", tag="U")
    _load(raw)


def test_disclaimer_must_say_no_legal_opinion() -> None:
    raw = _raw()
    raw["disclaimer"] = {"text": "仅供参考。", "sources": []}
    with pytest.raises(KnowledgeDataError, match="法律意见"):
        _load(raw)


def test_unknown_parent_is_refused() -> None:
    raw = _raw()
    raw["disputes"]["labour_award"]["parent"] = "labor"
    with pytest.raises(KnowledgeDataError, match="parent"):
        _load(raw)
