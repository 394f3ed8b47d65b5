from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

import pytest

from knowledge.loader import TAGS, UNVERIFIED_NOTE, KnowledgeDataError
from knowledge.procedures import (
    INTENTS,
    SECTION_TITLES,
    SUMMARY_LIMIT,
    Procedure,
    ProcedureBook,
    UnknownProcedure,
    UnknownSection,
    load_procedures,
    procedures_from_text,
    render,
)

REQUIRED_KEYS = (
    "file_civil_case",
    "file_criminal_private",
    "file_administrative_case",
    "file_cross_region",
    "file_online",
    "jurisdiction",
    "appeal",
    "retrial_application",
    "judgment_question",
    "enforcement_application",
    "case_payment",
    "property_preservation",
    "fee_payment",
    "fee_refund",
    "fee_relief",
    "legal_aid",
    "mediation",
    "document_service",
    "enterprise_channel",
    "lawyer_services",
    "pleading_template",
    "court_info",
    "appointment",
    "complaint",
    "small_claims",
)

#: Phrases that would turn procedural information into a legal opinion.
LEGAL_OPINION_DENYLIST = (
    "您一定能赢",
    "一定能赢",
    "一定会赢",
    "肯定赢",
    "稳赢",
    "必胜",
    "胜诉率",
    "建议您起诉",
    "建议起诉",
    "我建议",
    "您应该起诉",
    "您会败诉",
    "您有理",
    "对方理亏",
)


@pytest.fixture(scope="module")
def book() -> ProcedureBook:
    return load_procedures()


def all_texts(book: ProcedureBook) -> Iterator[tuple[str, str]]:
    """Every string a litigant can read, with where it comes from."""
    yield "disclaimer", book.disclaimer
    for procedure in book.all():
        yield f"{procedure.key}.title", procedure.title
        yield f"{procedure.key}.summary", procedure.summary
        for section in procedure.sections:
            for i, fact in enumerate(section.items):
                yield f"{procedure.key}.{section.key}[{i}]", fact.text


def test_every_service_of_the_window_has_an_answer(book: ProcedureBook) -> None:
    missing = [key for key in REQUIRED_KEYS if key not in book]
    assert missing == []
    assert set(book.keys()) == set(REQUIRED_KEYS)


def test_answers_are_keyed_by_intent_names_where_one_exists(book: ProcedureBook) -> None:
    assert sorted(set(book.keys()) - set(INTENTS)) == ["small_claims"]
    assert len(INTENTS) == 35


def test_every_summary_fits_a_phone_screen(book: ProcedureBook) -> None:
    for procedure in book.all():
        assert 0 < len(procedure.summary) <= SUMMARY_LIMIT == 300, procedure.key


def test_every_fact_has_a_source_and_a_valid_tag(book: ProcedureBook) -> None:
    for procedure in book.all():
        assert procedure.summary_sources, procedure.key
        assert all(s.strip() for s in procedure.summary_sources), procedure.key
        assert procedure.summary_tag in TAGS
        assert procedure.sections, procedure.key
        for fact in procedure.facts():
            assert fact.source.strip(), (procedure.key, fact.text)
            assert fact.tag in TAGS, (procedure.key, fact.text)


def test_every_unverified_fact_says_confirm_with_the_court(book: ProcedureBook) -> None:
    for procedure in book.all():
        if procedure.summary_tag == "U":
            assert UNVERIFIED_NOTE in procedure.summary, procedure.key
        for fact in procedure.facts():
            if fact.unverified:
                assert UNVERIFIED_NOTE in fact.text, (procedure.key, fact.text)


@pytest.mark.parametrize(
    ("key", "needle"),
    [
        ("small_claims", "以法院公告为准"),  # IM threshold not published in facts.md
        ("property_preservation", "电子保函"),
        ("case_payment", "30日"),
        ("file_online", "人民法院在线服务"),
    ],
)
def test_unverified_local_practice_is_flagged_where_users_read_it(
    book: ProcedureBook, key: str, needle: str
) -> None:
    procedure = book.get(key)
    assert needle in procedure.summary
    assert UNVERIFIED_NOTE in procedure.summary
    assert procedure.summary_tag == "U"


def test_small_claims_threshold_is_not_given_as_a_figure(book: ProcedureBook) -> None:
    procedure = book.get("small_claims")
    assert "50%" in procedure.summary and "就业人员年平均工资" in procedure.summary
    assert not re.search(r"\d+(\.\d+)?万?元", procedure.summary)


def test_no_phone_numbers_other_than_the_two_hotlines(book: ProcedureBook) -> None:
    for where, text in all_texts(book):
        for run in re.findall(r"\d{5,}", text):
            assert run in {"12368", "12348"}, (where, run)
        assert not re.search(r"\d{3,4}[-－]\d{6,8}", text), where


def test_no_web_addresses_or_opening_hours(book: ProcedureBook) -> None:
    for where, text in all_texts(book):
        assert "http" not in text.lower(), where
        assert "www." not in text.lower(), where
        assert not re.search(r"\d{1,2}[:：]\d{2}", text), where


def test_hotlines_are_named_for_what_they_do(book: ProcedureBook) -> None:
    texts = [text for _, text in all_texts(book)]
    assert any("12368诉讼服务热线" in t for t in texts)
    assert any("12348公共法律服务热线" in t for t in texts)


def test_no_legal_opinion_phrasing(book: ProcedureBook) -> None:
    for where, text in all_texts(book):
        for phrase in LEGAL_OPINION_DENYLIST:
            assert phrase not in text, (where, phrase)


def test_disclaimer_says_no_legal_opinion(book: ProcedureBook) -> None:
    assert book.disclaimer.startswith("本助手只提供诉讼程序信息，不提供法律意见")


@pytest.mark.parametrize(
    ("key", "figures"),
    [
        ("appeal", ("15日", "10日", "5日")),
        ("retrial_application", ("6个月",)),
        ("enforcement_application", ("2年", "7日")),
        ("property_preservation", ("48小时", "30日", "30%")),
        ("fee_refund", ("15日",)),
        ("fee_payment", ("7日",)),
        ("case_payment", ("30日",)),
        ("file_civil_case", ("7日",)),
        ("file_criminal_private", ("15日",)),
        ("file_administrative_case", ("6个月", "15日", "50元")),
        ("mediation", ("30日",)),
        ("fee_relief", ("30%",)),
    ],
)
def test_key_figures_are_in_the_summary(
    book: ProcedureBook, key: str, figures: tuple[str, ...]
) -> None:
    summary = book.get(key).summary
    for figure in figures:
        assert figure in summary, (key, figure)


def test_criminal_appeal_periods_are_given_next_to_civil_ones(book: ProcedureBook) -> None:
    deadlines = render(book.get("appeal"), "deadlines")
    assert "刑事案件：不服判决10日，不服裁定5日" in deadlines
    assert "民事案件：不服判决15日，不服裁定10日" in deadlines


def test_preservation_distinguishes_pre_suit_and_in_suit_security(book: ProcedureBook) -> None:
    fees = render(book.get("property_preservation"), "fees")
    assert "最多5000元" in fees
    assert "30%" in fees and "相等" in fees


@pytest.mark.parametrize(
    ("key", "needle"),
    [
        ("judgment_question", "判后答疑"),
        ("enterprise_channel", "三优先"),
        ("mediation", "诉调对接中心"),
        ("document_service", "邮政驻点"),
        ("lawyer_services", "绿色通道"),
        ("fee_payment", "独立"),
        ("case_payment", "执行综合窗口"),
        ("file_civil_case", "一窗通办"),
        ("pleading_template", "二维码"),
    ],
)
def test_the_ordos_window_services_are_described(
    book: ProcedureBook, key: str, needle: str
) -> None:
    assert needle in book.get(key).summary


def test_seed_facts_are_tagged_secondary(book: ProcedureBook) -> None:
    seed_facts = [f for p in book.all() for f in p.facts() if f.source == "seed"]
    assert seed_facts
    assert {f.tag for f in seed_facts} == {"S"}


def test_court_specific_details_point_to_the_guide_desk(book: ProcedureBook) -> None:
    for key in ("court_info", "appointment", "complaint", "jurisdiction"):
        summary = book.get(key).summary
        assert "12368" in summary, key
    assert "导诉台" in book.get("court_info").summary


def test_template_numbers_point_to_the_right_model_texts(book: ProcedureBook) -> None:
    assert book.get("enforcement_application").template_numbers == (18,)
    assert book.get("file_criminal_private").template_numbers == (38, 39, 40, 41)
    for procedure in book.all():
        assert all(1 <= n <= 67 for n in procedure.template_numbers), procedure.key


def test_related_buttons_are_intents(book: ProcedureBook) -> None:
    for procedure in book.all():
        assert procedure.related, procedure.key
        assert set(procedure.related) <= set(INTENTS), procedure.key
    assert "fee_calculation" in book.get("fee_payment").related


def test_sections_use_the_known_keys_in_display_order(book: ProcedureBook) -> None:
    order = list(SECTION_TITLES)
    for procedure in book.all():
        keys = list(procedure.section_keys)
        assert set(keys) <= set(order), procedure.key
        assert keys == sorted(keys, key=order.index), procedure.key


def test_render_without_section_is_summary_and_disclaimer(book: ProcedureBook) -> None:
    procedure = book.get("appeal")
    text = render(procedure)
    assert text.startswith(procedure.summary)
    assert text.rstrip().endswith(book.disclaimer)
    assert text.count("\n") == 2


def test_render_section_is_a_numbered_list(book: ProcedureBook) -> None:
    procedure = book.get("enforcement_application")
    text = render(procedure, "materials")
    lines = text.splitlines()
    assert lines[0] == "【申请执行·所需材料】"
    items = procedure.section("materials").items
    assert lines[1:] == [f"{i}. {fact.text}" for i, fact in enumerate(items, start=1)]


def test_sections_can_be_named_in_chinese(book: ProcedureBook) -> None:
    procedure = book.get("上诉")
    assert procedure.key == "appeal"
    assert render(procedure, "期限") == render(procedure, "deadlines")


def test_unknown_section_lists_the_available_ones(book: ProcedureBook) -> None:
    with pytest.raises(UnknownSection, match="deadlines") as info:
        render(book.get("appeal"), "where")
    assert isinstance(info.value, ValueError)


def test_unknown_key_names_close_keys_in_chinese(book: ProcedureBook) -> None:
    with pytest.raises(UnknownProcedure, match=r"没有这个办事指南.*appeal"):
        book.get("apeal")
    assert isinstance(UnknownProcedure("x"), ValueError)


def test_answers_are_frozen_and_loaded_once(book: ProcedureBook) -> None:
    assert load_procedures() is book
    procedure: Procedure = book.get("appeal")
    with pytest.raises(dataclasses.FrozenInstanceError):
        procedure.summary = "改了"  # type: ignore[misc]


# --- validation of a malformed file -------------------------------------------

GOOD = """
disclaimer:
  text: 本助手只提供诉讼程序信息，不提供法律意见。
  sources: [P-12348]
procedures:
  appeal:
    title: 上诉
    summary:
      text: 不服判决的，15日内上诉。
      sources: [CPL art.171]
      tag: V
    sections:
      deadlines:
        - text: 不服判决15日。
          source: CPL art.171
          tag: V
    related: [retrial_application]
    template_numbers: []
"""


def test_a_well_formed_text_loads() -> None:
    book = procedures_from_text(GOOD, "inline.yaml")
    assert book.keys() == ("appeal",)
    assert book.get("appeal").sections[0].items[0].source == "CPL art.171"
    assert book.disclaimer_sources == ("P-12348",)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("不服判决的，15日内上诉。", "长" * 301, r"appeal\.summary\.text: 摘要301字"),
        ("          source: CPL art.171\n", "", r"appeal\.sections\.deadlines\[0\]: 缺少 source"),
        ("          tag: V\n", "          tag: X\n", r"deadlines\[0\]\.tag: tag 应为"),
        (
            "        - text: 不服判决15日。\n          source: CPL art.171\n          tag: V",
            "        - text: 标准是某个数额。\n          source: facts §4.3\n          tag: U",
            r"deadlines\[0\]\.text: 未核实（U）的内容必须写明“以法院公告为准”",
        ),
        ("      deadlines:", "      deadline:", r"appeal\.sections: 未知的部分 'deadline'"),
        ("[retrial_application]", "[small_claims]", r"appeal\.related: 'small_claims' 不是"),
        ("不服判决15日。", "请拨打0477-1234567。", r"deadlines\[0\]\.text: 疑似电话号码"),
        ("不服判决15日。", "详见 https://example.org", r"deadlines\[0\]\.text: 不得包含网址"),
        ("template_numbers: []", "template_numbers: [68]", r"template_numbers: 编号应在"),
        ("      sources: [CPL art.171]\n", "", r"appeal\.summary\.sources: 应为非空"),
        (
            "    title: 上诉\n",
            "    title: 上诉\n    titel: 上诉\n",
            r"appeal: 未知字段 \['titel'\]",
        ),
        ("不提供法律意见", "不提供帮助", r"disclaimer: 免责声明"),
    ],
)
def test_malformed_text_fails_naming_the_item(old: str, new: str, message: str) -> None:
    assert old in GOOD
    with pytest.raises(KnowledgeDataError, match=message) as info:
        procedures_from_text(GOOD.replace(old, new, 1), "inline.yaml")
    assert str(info.value).startswith("inline.yaml: ")


def test_unparsable_yaml_is_a_data_error() -> None:
    with pytest.raises(KnowledgeDataError, match="YAML 格式错误"):
        procedures_from_text("procedures: [unclosed", "inline.yaml")
