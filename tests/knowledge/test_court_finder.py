"""The court finder: every Ordos banner/district, every rule, exclusive jurisdiction,
places outside Ordos, and the place extractor (knowledge.court_finder, knowledge.places)."""

from __future__ import annotations

import pytest

from knowledge.court_finder import (
    CATEGORY_RULES,
    INTERMEDIATE,
    TOPIC_RULES,
    load_court_finder,
    rule_for,
)
from knowledge.courts import load_court_directory
from knowledge.loader import KnowledgeDataError, load_data
from knowledge.places import find_places, gazetteer_from, place_named

FINDER = load_court_finder()
#: Each banner/district, its basic court's code, and the short names people use.
BANNERS = [
    ("东胜区", "内0602", ["东胜"]),
    ("康巴什区", "内0603", ["康巴什", "康巴什新区"]),
    ("达拉特旗", "内0621", ["达拉特", "达旗"]),
    ("准格尔旗", "内0622", ["准格尔", "准旗"]),
    ("鄂托克前旗", "内0623", ["鄂前旗", "前旗"]),
    ("鄂托克旗", "内0624", ["鄂托克", "鄂旗"]),
    ("杭锦旗", "内0625", ["杭锦", "杭旗"]),
    ("乌审旗", "内0626", ["乌审"]),
    ("伊金霍洛旗", "内0627", ["伊金霍洛", "伊旗"]),
]
#: Every rule and the role of the place that gives it a court.
RULE_ROLES = [
    ("defendant_domicile", "defendant_home"),
    ("plaintiff_domicile_several", "plaintiff_home"),
    ("contract_performance", "performance"),
    ("lease_movable", "use_place"),
    ("online_sale", "plaintiff_home"),
    ("insurance", "property"),
    ("tort_place", "event"),
    ("online_tort", "plaintiff_home"),
    ("product_liability", "sale_place"),
    ("accident_place", "accident"),
    ("immovable_location", "property"),
    ("inheritance", "deceased_home"),
    ("labour_employer", "employer"),
    ("administrative", "agency"),
    ("private_prosecution", "event"),
]
#: The rule keys the dispute paths use (knowledge/disputes.py COURT_RULES).
DISPUTE_RULES = [
    "defendant_domicile",
    "contract_performance",
    "tort_place",
    "accident_place",
    "immovable_location",
    "inheritance",
    "labour_employer",
    "arbitration_intermediate",
    "administrative",
    "online_sale",
    "plaintiff_domicile_several",
    "crime_place",
]


def place(name: str):  # type: ignore[no-untyped-def]
    found = FINDER.gazetteer.by_name(name)
    assert found is not None, name
    return found


def codes(finding) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.court.code for c in finding.courts if c.court is not None]


# --- the directory and the data -------------------------------------------------


def test_the_nine_places_are_the_nine_basic_courts_of_the_directory() -> None:
    basic = {c.code for c in load_court_directory().all() if c.level == "basic"}
    assert {p.court for p in FINDER.gazetteer.places} == basic
    assert len(FINDER.gazetteer.places) == 9


def test_every_rule_has_a_basis_a_source_and_a_question() -> None:
    for rule in FINDER.rules.values():
        assert rule.basis and rule.source and rule.tag == "V"
        assert rule.ask in rule.roles and set(rule.labels) == set(rule.roles)


@pytest.mark.parametrize("key", DISPUTE_RULES)
def test_every_rule_key_of_the_dispute_paths_is_known(key: str) -> None:
    assert FINDER.has_rule(key)


def test_every_category_and_topic_names_a_known_rule() -> None:
    for key in (*CATEGORY_RULES.values(), *TOPIC_RULES.values()):
        assert FINDER.has_rule(key), key


def test_a_place_pointing_at_no_basic_court_is_refused() -> None:
    from knowledge.court_finder import finder_from

    raw = dict(load_data("court_finder.yaml"))
    raw["places"] = [{"name": "东胜区", "court": "内06"}]
    with pytest.raises(KnowledgeDataError, match="不是名录中的基层法院"):
        finder_from(raw, load_court_directory())


def test_a_doubled_place_name_is_refused() -> None:
    with pytest.raises(KnowledgeDataError, match="重复"):
        gazetteer_from(
            {"places": [{"name": "东胜区", "court": "内0602", "short_names": ["东胜区"]}]}
        )


# --- every banner/district, every rule ------------------------------------------


@pytest.mark.parametrize(("name", "code", "short"), BANNERS)
def test_each_banner_and_its_short_names_lead_to_its_basic_court(
    name: str, code: str, short: list[str]
) -> None:
    for said in (name, *short):
        finding = FINDER.find("defendant_domicile", [("defendant_home", place(said))])
        assert codes(finding) == [code], said
        assert finding.missing is None and not finding.outside


@pytest.mark.parametrize(("name", "code", "short"), BANNERS)
@pytest.mark.parametrize(("rule", "role"), RULE_ROLES)
def test_every_rule_in_every_banner(
    name: str, code: str, short: list[str], rule: str, role: str
) -> None:
    finding = FINDER.find(rule, [(role, place(name))])
    assert codes(finding) == [code]
    assert finding.rule.key == rule


@pytest.mark.parametrize(("name", "code", "short"), BANNERS)
def test_a_suit_against_a_banner_government_goes_to_the_intermediate_court(
    name: str, code: str, short: list[str]
) -> None:
    finding = FINDER.find("administrative", [("agency", place(short[-1]))], government=True)
    assert codes(finding) == [INTERMEDIATE]


@pytest.mark.parametrize(("name", "code", "short"), BANNERS)
def test_setting_aside_a_final_labour_award_is_for_the_intermediate_court(
    name: str, code: str, short: list[str]
) -> None:
    finding = FINDER.find("arbitration_intermediate", [("arbitration", place(name))])
    assert codes(finding) == [INTERMEDIATE]


def test_an_agency_below_government_level_stays_at_the_basic_court() -> None:
    finding = FINDER.find("administrative", [("agency", place("乌审旗"))])
    assert codes(finding) == ["内0626"]


def test_crime_place_is_the_private_prosecution_rule() -> None:
    assert FINDER.rule("crime_place").key == "private_prosecution"


# --- several courts, exclusive jurisdiction ------------------------------------


def test_an_accident_place_and_the_defendants_home_are_both_competent() -> None:
    finding = FINDER.find(
        "accident_place",
        [("accident", place("东胜")), ("defendant_home", place("达旗"))],
    )
    assert codes(finding) == ["内0602", "内0621"]
    assert any("选其中一个" in note for note in finding.notes)


def test_a_company_seat_stands_for_the_defendants_domicile() -> None:
    finding = FINDER.find("contract_performance", [("employer", place("康巴什"))])
    assert codes(finding) == ["内0603"]


@pytest.mark.parametrize("rule", ["immovable_location", "inheritance"])
def test_the_exclusive_rule_wins_over_the_defendants_domicile(rule: str) -> None:
    finding = FINDER.find(
        rule,
        [("property", place("伊旗")), ("defendant_home", place("东胜"))],
        agreement=True,
    )
    assert codes(finding) == ["内0627"]  # not 东胜 where the other side lives
    assert finding.rule.exclusive
    assert any("专属管辖" in note and "不能改变" in note for note in finding.notes)


def test_an_agreement_is_mentioned_with_its_limits_when_the_rule_is_not_exclusive() -> None:
    finding = FINDER.find(
        "contract_performance", [("defendant_home", place("准旗"))], agreement=True
    )
    assert any("实际联系" in note and "专属管辖" in note for note in finding.notes)


@pytest.mark.parametrize(
    ("text", "category", "rule"),
    [
        ("租房押金不退", "民间借贷纠纷", "immovable_location"),
        ("房租的事", "房屋租赁合同纠纷", "immovable_location"),
        ("工程款要不回来", "建设工程施工合同纠纷", "immovable_location"),
        ("邻居家漏水把我家淹了", None, "immovable_location"),
        ("我爸去世了留了套房子", None, "inheritance"),
        ("在东胜出的车祸", "机动车交通事故责任纠纷", "accident_place"),
        ("公司欠我三个月工资", "劳动争议纠纷", "labour_employer"),
        ("我想离婚", "离婚纠纷", "defendant_domicile"),
        ("借钱不还", "民间借贷纠纷", "contract_performance"),
        ("淘宝买的东西坏了", None, "online_sale"),
        ("网上被人诽谤", "诽谤案", "online_tort"),
        ("网上被人诽谤 我想自诉", "诽谤案", "private_prosecution"),
        ("被人打伤了", None, "tort_place"),
        ("告旗政府", None, "administrative"),
        ("车损险不赔", "财产损失保险合同纠纷", "insurance"),
        ("租的挖机", None, "lease_movable"),
        ("产品质量问题把人弄伤了", None, "product_liability"),
        ("去哪告", None, None),
    ],
)
def test_the_rule_from_the_words_and_the_dispute(
    text: str, category: str | None, rule: str | None
) -> None:
    assert rule_for(text, category) == rule


def test_the_rule_from_the_last_topic() -> None:
    assert rule_for("那去哪个法院", None, "file_administrative_case") == "administrative"
    assert rule_for("那去哪个法院", None, "house_lease") == "immovable_location"


# --- outside Ordos ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "role", "where", "by_rule"),
    [
        ("defendant_domicile", "defendant_home", "包头", "被告住所地的基层人民法院"),
        ("accident_place", "accident", "榆林", "事故发生地的基层人民法院"),
        ("immovable_location", "property", "呼和浩特", "不动产所在地的基层人民法院"),
        ("labour_employer", "employer", "北京", "用人单位所在地的基层人民法院"),
        ("private_prosecution", "event", "外地", "犯罪地的基层人民法院"),
    ],
)
def test_outside_ordos_the_court_is_named_by_its_rule(
    rule: str, role: str, where: str, by_rule: str
) -> None:
    finding = FINDER.find(rule, [(role, place(where))])
    assert not finding.courts and finding.found
    assert finding.outside[0].by_rule == by_rule


def test_a_government_outside_ordos_is_for_the_intermediate_court_there() -> None:
    finding = FINDER.find("administrative", [("agency", place("包头"))], government=True)
    assert finding.outside[0].by_rule == "行政机关所在地的中级人民法院"


def test_a_named_outside_place_replaces_the_vague_one() -> None:
    finding = FINDER.find(
        "defendant_domicile", [("defendant_home", place("外地")), ("defendant_home", place("河北"))]
    )
    assert [o.place.name for o in finding.outside] == ["河北"]
    assert not any("选其中一个" in note for note in finding.notes)


def test_ordos_without_a_banner_is_still_missing() -> None:
    finding = FINDER.find("defendant_domicile", [("defendant_home", place("鄂尔多斯"))])
    assert finding.missing == "defendant_home" and not finding.found


def test_no_place_asks_the_rules_own_question() -> None:
    assert FINDER.find("accident_place", []).missing == "accident"
    assert (
        FINDER.find("immovable_location", [("defendant_home", place("东胜"))]).missing == "property"
    )


# --- the extractor ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("他家在达旗", [("达拉特旗", "defendant_home")]),
        ("在东胜出的车祸", [("东胜区", "accident")]),
        ("房子在伊旗", [("伊金霍洛旗", "property")]),
        ("公司在康巴什", [("康巴什区", "employer")]),
        ("欠钱的住达旗 我住东胜", [("达拉特旗", "defendant_home"), ("东胜区", "plaintiff_home")]),
        ("欠我钱的住鄂托克前旗", [("鄂托克前旗", "defendant_home")]),
        ("公司注册在东胜 我在伊旗干活", [("东胜区", "employer"), ("伊金霍洛旗", "work_place")]),
        ("工地在准旗 发包方在东胜", [("准格尔旗", "property"), ("东胜区", "defendant_home")]),
        ("老人去世前住在杭锦旗", [("杭锦旗", "deceased_home")]),
        ("乌审旗交警开的罚单", [("乌审旗", "agency")]),
        ("我在乌审旗被人打了", [("乌审旗", "event")]),
        ("合同在前旗履行", [("鄂托克前旗", "performance")]),
        ("他在包头", [("包头", "defendant_home")]),
        ("对方人在外省", [("鄂尔多斯以外", "defendant_home")]),
        ("要去伊旗法院起诉吗", [("伊金霍洛旗", "court_named")]),
        ("能在东胜告吗", [("东胜区", "court_named")]),
        ("鄂托克旗", [("鄂托克旗", "unknown")]),
        ("告旗政府", []),
    ],
)
def test_the_extractor_finds_place_and_role(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(m.place.name, m.role) for m in find_places(text)] == expected


def test_the_longest_name_wins() -> None:
    assert [m.place.name for m in find_places("鄂托克前旗和鄂托克旗")] == ["鄂托克前旗", "鄂托克旗"]


@pytest.mark.parametrize(
    ("text", "name"),
    [("达旗", "达拉特旗"), ("在包头", "包头"), ("不在鄂尔多斯", "鄂尔多斯以外"), ("嗯", None)],
)
def test_a_short_answer_names_one_place(text: str, name: str | None) -> None:
    found = place_named(text)
    assert (found.name if found else None) == name
