"""Case numbers as a litigant types them: normalised, validated, explained."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.case_number import (
    CaseNumberError,
    case_types,
    find_case_numbers,
    grammar_from,
    parse_case_number,
)
from knowledge.loader import KnowledgeDataError, load_data

TODAY = date(2025, 6, 1)

# (text as typed, canonical, court_code, type_code, serial)
VALID = [
    # the real examples from facts.md §3.2
    ("（2024）内0624民初2900号", "（2024）内0624民初2900号", "内0624", "民初", 2900),
    ("（2021）内0622民初43号", "（2021）内0622民初43号", "内0622", "民初", 43),
    # normalisation: half-width, 〔〕, [], 【】, ［］ brackets
    ("(2024)内0602民初1234号", "（2024）内0602民初1234号", "内0602", "民初", 1234),
    ("〔2024〕内0602民初1234号", "（2024）内0602民初1234号", "内0602", "民初", 1234),
    ("[2024]内0602民初1234号", "（2024）内0602民初1234号", "内0602", "民初", 1234),
    ("【2024】内0602民初1234号", "（2024）内0602民初1234号", "内0602", "民初", 1234),
    ("［2024］内0602民初1234号", "（2024）内0602民初1234号", "内0602", "民初", 1234),
    ("（2024)内0602民初1234号", "（2024）内0602民初1234号", "内0602", "民初", 1234),
    # spaces anywhere, full-width digits, missing 号, year without brackets
    (" （2024） 内 0602 民初 1234 号 ", "（2024）内0602民初1234号", "内0602", "民初", 1234),
    ("（２０２４）内０６０２民初１２３４号", "（2024）内0602民初1234号", "内0602", "民初", 1234),
    ("（2024）内0602民初1234", "（2024）内0602民初1234号", "内0602", "民初", 1234),
    ("2024内0602民初1234", "（2024）内0602民初1234号", "内0602", "民初", 1234),
    ("2024 内0602 民初 1234 号", "（2024）内0602民初1234号", "内0602", "民初", 1234),
    ("\u3000（2024）内0602民初1234號", "（2024）内0602民初1234号", "内0602", "民初", 1234),
    # leading zeros and a stray 第 are corrected
    ("（2024）内0602民初0012号", "（2024）内0602民初12号", "内0602", "民初", 12),
    ("（2024）内0602民初第12号", "（2024）内0602民初12号", "内0602", "民初", 12),
    # the Ordos courts
    ("（2023）内06民终88号", "（2023）内06民终88号", "内06", "民终", 88),
    ("（2024）内0603民初5号", "（2024）内0603民初5号", "内0603", "民初", 5),
    ("（2024）内0621执1021号", "（2024）内0621执1021号", "内0621", "执", 1021),
    ("（2024）内0623刑初17号", "（2024）内0623刑初17号", "内0623", "刑初", 17),
    ("（2025）内0625行初3号", "（2025）内0625行初3号", "内0625", "行初", 3),
    ("（2025）内0626民特9号", "（2025）内0626民特9号", "内0626", "民特", 9),
    ("（2022）内0627民督4号", "（2022）内0627民督4号", "内0627", "民督", 4),
    ("（2020）内民申300号", "（2020）内民申300号", "内", "民申", 300),
    # type codes
    ("（2024）内0602执保77号", "（2024）内0602执保77号", "内0602", "执保", 77),
    ("（2024）内0602民诉前调801号", "（2024）内0602民诉前调801号", "内0602", "民诉前调", 801),
    ("（2023）内0622司救民2号", "（2023）内0622司救民2号", "内0622", "司救民", 2),
    ("（2023）内06司救执1号", "（2023）内06司救执1号", "内06", "司救执", 1),
    ("（2022）内06行赔初1号", "（2022）内06行赔初1号", "内06", "行赔初", 1),
    ("（2022）内行赔终2号", "（2022）内行赔终2号", "内", "行赔终", 2),
    ("（2024）内06民辖终15号", "（2024）内06民辖终15号", "内06", "民辖终", 15),
    ("（2024）内0602民保令3号", "（2024）内0602民保令3号", "内0602", "民保令", 3),
    ("（2024）内0602财保10号", "（2024）内0602财保10号", "内0602", "财保", 10),
    ("（2024）内06法赔1号", "（2024）内06法赔1号", "内06", "法赔", 1),
    ("（2024）内委赔6号", "（2024）内委赔6号", "内", "委赔", 6),
    ("（2024）内06破申2号", "（2024）内06破申2号", "内06", "破申", 2),
    ("（2024）内0602司惩复1号", "（2024）内0602司惩复1号", "内0602", "司惩复", 1),
    ("（2024）内06刑更900号", "（2024）内06刑更900号", "内06", "刑更", 900),
    ("（2024）内0602执异40号", "（2024）内0602执异40号", "内0602", "执异", 40),
    # other provinces, the SPC, the special code 知, special courts
    ("（2022）京0105民初123号", "（2022）京0105民初123号", "京0105", "民初", 123),
    ("（2021）川0104民诉前调801号", "（2021）川0104民诉前调801号", "川0104", "民诉前调", 801),
    ("（2024）浙02民诉前调595号", "（2024）浙02民诉前调595号", "浙02", "民诉前调", 595),
    ("（2022）内0404民初4954号", "（2022）内0404民初4954号", "内0404", "民初", 4954),
    ("（2019）最高法知民终1号", "（2019）最高法知民终1号", "最高法", "民终", 1),
    ("（2023）京73知民初5号", "（2023）京73知民初5号", "京73", "民初", 5),
    ("（2023）沪74民初1号", "（2023）沪74民初1号", "沪74", "民初", 1),
    ("（2023）内71刑初3号", "（2023）内71刑初3号", "内71", "刑初", 3),
    ("（2024）沪7101执保5号", "（2024）沪7101执保5号", "沪7101", "执保", 5),
    ("（2024）兵01民初1号", "（2024）兵01民初1号", "兵01", "民初", 1),
    ("（2024）军01刑初1号", "（2024）军01刑初1号", "军01", "刑初", 1),
    ("（2024）鄂0102民初1号", "（2024）鄂0102民初1号", "鄂0102", "民初", 1),
    # next year is still plausible (cases received around the new year)
    ("（2026）内0602民初1号", "（2026）内0602民初1号", "内0602", "民初", 1),
    # pre-2016 "字第" numbers
    ("（2013）东法民初字第37号", "（2013）东法民初字第37号", "东法", "民初", 37),
    ("(2011)鄂刑二初字第15号", "（2011）鄂刑二初字第15号", "鄂", "刑二初", 15),
    ("（2012） 内刑三终字第 33", "（2012）内刑三终字第33号", "内", "刑三终", 33),
]


@pytest.mark.parametrize(("text", "canonical", "court_code", "type_code", "serial"), VALID)
def test_valid_case_numbers_are_normalised(
    text: str, canonical: str, court_code: str, type_code: str, serial: int
) -> None:
    number = parse_case_number(text, today=TODAY)
    assert number.canonical == canonical
    assert (number.court_code, number.type_code, number.serial) == (court_code, type_code, serial)
    assert number.year == int(canonical[1:5])
    # the canonical form parses to itself
    again = parse_case_number(number.canonical, today=TODAY)
    assert (again.canonical, again.court, again.type) == (canonical, number.court, number.type)


# (text as typed, a fragment the Chinese reason must contain)
INVALID = [
    ("（2024）蒙0602民初1234号", "法院代字“蒙”无效：内蒙古法院的代字是“内”"),
    ("（2024）内0602赔1号", "类型代字“赔”不存在"),
    ("（2024）内0602司救1号", "类型代字“司救”不存在"),
    ("（2024）内0602诉前调1号", "民诉前调"),
    ("（2024）内0602民诉1号", "类型代字“民诉”不存在"),
    ("（1999）内0602民初1号", "年份 1999 不合理"),
    ("（2015）内0602民初1号", "年份 2015 不合理"),
    ("（2031）内0602民初1号", "年份 2031 不合理"),
    ("（2024）内0602民初0号", "案件编号应从 1 开始"),
    ("（2024）内0602民初000号", "案件编号应从 1 开始"),
    ("（2024）内0602民初号", "缺少案件编号"),
    ("（2024）内0602民初123456789号", "位数过多"),
    ("（24）内0602民初1号", "年份“24”应为四位数字"),
    ("内0602民初1号", "缺少收案年度"),
    ("（2024）内060民初1号", "法院代字“内060”无效"),
    ("（2024）内00民初1号", "法院代字“内00”无效"),
    ("（2024）内0600民初1号", "法院代字“内0600”无效"),
    ("（2024）0602民初1号", "缺少省级简称"),
    ("（2024）沈0602民初1号", "法院代字“沈”无效"),
    ("（2024）内06021号", "缺少类型代字"),
    ("（2024）内0602民初1号之一", "多余的内容"),
    ("（2024）内0602民初1234号（2024）内0602民初1号", "多余的内容"),
    ("（2024）内0602民初字第1234号", "应写作“（2024）内0602民初1234号”"),
    ("（2017）东法民初字第37号", "年份 2017 不合理"),
    ("（1900）东法民初字第37号", "年份 1900 不合理"),
    ("（2013）民初字第37号", "无法识别旧案号"),
    ("（2013）东法民初字第0号", "案件编号应从 1 开始"),
    ("13900001111", "年份"),
    ("", "没有输入案号"),
    ("   ", "没有输入案号"),
]


@pytest.mark.parametrize(("text", "reason"), INVALID)
def test_invalid_case_numbers_say_why_in_one_sentence(text: str, reason: str) -> None:
    with pytest.raises(CaseNumberError) as caught:
        parse_case_number(text, today=TODAY)
    message = str(caught.value)
    assert reason in message
    assert "\n" not in message
    assert isinstance(caught.value, ValueError)


def test_ordos_court_is_named_and_inferred_codes_are_flagged() -> None:
    number = parse_case_number("（2024）内0602民初1234号", today=TODAY)
    assert number.court == "鄂尔多斯市东胜区人民法院"
    assert number.court_level == "basic"
    assert number.province == "内蒙古自治区"
    assert number.type == "民事一审案件"
    assert number.court_tag == "I"
    assert any("推定" in note and "以法院公告为准" in note for note in number.notes)


def test_code_seen_in_real_numbers_has_no_unverified_note() -> None:
    number = parse_case_number("（2024）内0624民初2900号", today=TODAY)
    assert number.court == "鄂托克旗人民法院"
    assert number.court_tag == "S"
    assert number.notes == ()


def test_other_province_is_recognised_without_naming_the_court() -> None:
    number = parse_case_number("（2022）京0105民初123号", today=TODAY)
    assert number.court is None
    assert number.court_label == "北京市的基层法院"
    assert number.province == "北京市"
    assert number.court_level == "basic"
    jiangsu = parse_case_number("（2023）苏05民终7号", today=TODAY)
    assert (jiangsu.court, jiangsu.court_label) == (None, "江苏省的中级法院")


def test_high_courts_and_the_spc_are_named() -> None:
    assert parse_case_number("（2023）苏民终1号", today=TODAY).court == "江苏省高级人民法院"
    assert parse_case_number("（2020）内民申300号", today=TODAY).court == "内蒙古自治区高级人民法院"
    spc = parse_case_number("（2019）最高法知民终1号", today=TODAY)
    assert (spc.court, spc.court_level, spc.province) == ("最高人民法院", "supreme", None)
    assert (spc.special_code, spc.type_code) == ("知", "民终")
    assert spc.special is not None and "知识产权" in spc.special


def test_special_intermediate_court_codes() -> None:
    railway = parse_case_number("（2023）内71刑初3号", today=TODAY)
    assert railway.court_level == "intermediate"
    assert railway.court_label == "内蒙古自治区的专门中级法院"
    assert any("铁路运输法院" in note for note in railway.notes)
    basic = parse_case_number("（2024）沪7101执保5号", today=TODAY)
    assert (basic.court_level, basic.province) == ("basic", "上海市")
    assert basic.type == "财产保全执行案件"


def test_hubei_code_in_a_new_number_is_not_ordos() -> None:
    number = parse_case_number("（2024）鄂0102民初1号", today=TODAY)
    assert number.province == "湖北省"
    assert any("内06" in note for note in number.notes)


def test_old_format_e_means_the_ordos_intermediate_court() -> None:
    number = parse_case_number("（2011）鄂刑二初字第15号", today=TODAY)
    assert number.old_format
    assert number.court == "鄂尔多斯市中级人民法院"
    assert number.province == "内蒙古自治区"
    assert number.type == "刑事一审（刑二庭）"
    assert any("不是湖北省" in note for note in number.notes)


def test_old_format_unknown_abbreviation_is_accepted_without_a_court() -> None:
    number = parse_case_number("（2014）某法民初字第8号", today=TODAY)
    assert number.old_format and number.court is None
    assert number.court_code == "某法"


def test_unverified_type_code_carries_the_court_notice_phrase() -> None:
    number = parse_case_number("（2024）内0602民诉前调801号", today=TODAY)
    assert number.type_tag == "U"
    assert any("民诉前调" in note and "以法院公告为准" in note for note in number.notes)


def test_criminal_review_numbers_are_random_and_kept_as_written() -> None:
    number = parse_case_number("（2024）内刑核01234567号", today=TODAY)
    assert number.canonical == "（2024）内刑核01234567号"
    assert number.random_serial and number.serial_text == "01234567"


def test_kangbashi_court_before_it_existed_is_questioned() -> None:
    number = parse_case_number("（2017）内0603民初1号", today=TODAY)
    assert any("2018年1月2日" in note for note in number.notes)


def test_year_bound_follows_today() -> None:
    with pytest.raises(CaseNumberError, match="年份 2027 不合理"):
        parse_case_number("（2027）内0602民初1号", today=date(2025, 12, 31))
    assert parse_case_number("（2027）内0602民初1号", today=date(2026, 1, 2)).year == 2027


def test_every_type_code_in_facts_is_known() -> None:
    expected = {
        "民初", "民终", "民申", "民监", "民抗", "民再", "民撤", "民特", "民催", "民督", "民辖",
        "民辖终", "民保令", "民他", "民诉前调", "刑初", "刑终", "刑申", "刑再", "刑监", "刑抗",
        "刑更", "刑核", "行初", "行终", "行申", "行再", "行审", "行审复", "行赔初", "行赔终",
        "法赔", "委赔", "司救民", "司救刑", "司救行", "司救执", "司救赔", "司救访", "财保",
        "行保", "证保", "执", "执恢", "执保", "执异", "执复", "执监", "执协", "执他", "破申",
        "破", "清申", "司惩", "司惩复",
    }  # fmt: skip
    types = case_types()
    assert expected <= set(types)
    assert "赔" not in types and "司救" not in types
    assert types["执保"].type_class == "1004"


def test_a_duplicate_type_code_in_the_data_is_refused() -> None:
    raw = dict(load_data("case_types.yaml"))
    raw["types"] = [*raw["types"], {"code": "民初", "meaning": "重复", "category": "民事"}]
    with pytest.raises(KnowledgeDataError, match="民初"):
        grammar_from(load_data("court_codes.yaml"), raw)


# --- finding numbers inside a message ----------------------------------------


def test_find_returns_spans_in_the_original_text() -> None:
    text = "你好，我的案号是（2024） 内0602 民初1234号，请问进度？另一个是2023内06民终5号。"
    found = find_case_numbers(text, today=TODAY)
    assert [(text[s:e], n.canonical) for s, e, n in found] == [
        ("（2024） 内0602 民初1234号", "（2024）内0602民初1234号"),
        ("2023内06民终5号", "（2023）内06民终5号"),
    ]


def test_find_handles_full_width_and_old_format() -> None:
    text = "旧案（２０１３）东法民初字第３７号，新案【2025】内0627执保12号"
    found = find_case_numbers(text, today=TODAY)
    assert [text[s:e] for s, e, _ in found] == [
        "（２０１３）东法民初字第３７号",
        "【2025】内0627执保12号",
    ]
    assert found[0][2].old_format and not found[1][2].old_format


@pytest.mark.parametrize(
    "text",
    [
        "我的电话是13900001111，身份证150602199001011238",
        "标的额50000元，诉讼费1050元",
        "2024年5月3日开庭，在第三法庭",
        "2024年我起诉了，借了5000元",
        "案号是（2024）蒙0602民初1234号对吗",
        "",
    ],
)
def test_find_ignores_phone_numbers_amounts_and_invalid_numbers(text: str) -> None:
    assert find_case_numbers(text, today=TODAY) == []


def test_find_spans_can_be_used_as_entity_offsets() -> None:
    text = "查一下2024内0624民初2900"
    [(start, end, number)] = find_case_numbers(text, today=TODAY)
    assert (start, end) == (3, len(text))
    assert number.court == "鄂托克旗人民法院"
