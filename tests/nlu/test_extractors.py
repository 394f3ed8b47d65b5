"""Each rule-based extractor on its own, on text as users type it."""

from __future__ import annotations

from datetime import date

import pytest

from nlu.extractors.amount import extract_amounts
from nlu.extractors.contact import extract_id_numbers, extract_phones, id_checksum_ok
from nlu.extractors.dates import extract_dates
from nlu.normalize import normalize

THURSDAY = date(2026, 11, 26)


def amounts(text: str) -> list[tuple[object, str]]:
    return [(e.value, text[e.start : e.end]) for e in extract_amounts(normalize(text).text)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("标的5万诉讼费多少", 50000),
        ("他欠我十二万三千", 123000),
        ("1.5万元", 15000),
        ("3,200元的货款", 3200),
        ("借了八千块", 8000),
        ("30w的案子", 300000),
        ("两百万的工程款", 2000000),
        ("标的50000诉讼费", 50000),
        ("１０万", 100000),
        ("一万五", 15000),
        ("欠了我2.5万块钱", 25000),
        ("赔偿金额是12345.6元", "12345.6"),  # a fraction is exact text, never a float
        ("五万块", 50000),
        ("5千", 5000),
        ("一百二十万块钱", 1200000),
    ],
)
def test_amounts(text: str, value: int | str) -> None:
    assert [v for v, _ in amounts(text)] == [value]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("标的9999999999999999999元", "9999999999999999999"),  # a float would say 10^19
        ("标的123456789012345678901234567890元", "123456789012345678901234567890"),
        ("标的1e20元", "100000000000000000000"),  # not 1 元
        ("1E20元", "100000000000000000000"),
        ("欠款1e999999元", "1E+999999"),
        ("欠款1e-999999元", "1E-999999"),  # not a megabyte of zeros
        ("欠我5e3块钱", 5000),
        ("标的-5万", "-50000"),  # not 50,000
        ("负5万元", "-50000"),
        ("1.1万", 11000),
        ("标的9999999999999.99元", "9999999999999.99"),
    ],
)
def test_amounts_are_exact_whatever_their_size_or_sign(text: str, value: int | str) -> None:
    """The extractor reports what was typed; the dialogs refuse what is out of range."""
    assert [v for v, _ in amounts(text)] == [value]


def test_a_range_is_not_a_negative_amount() -> None:
    assert [v for v, _ in amounts("欠款3-5万")][-1] == 50000


@pytest.mark.parametrize(
    "text",
    [
        "起诉要交多少钱",
        "上诉期是15天",
        "2024年5月3日收到的",
        "我有三个孩子",
        "千万别骗我",
        "万一他不还呢",
        "一审判了",
        "电话13800001234",
        "第3次开庭",
    ],
)
def test_not_amounts(text: str) -> None:
    assert amounts(text) == []


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2025年3月5日收到判决", "2025-03-05"),
        ("二〇二五年三月五日", "2025-03-05"),
        ("2024.12.31", "2024-12-31"),
        ("2025-3-5", "2025-03-05"),
        ("3月5号开庭", "2026-03-05"),
        ("判决书是十月八号收到的", "2026-10-08"),
        ("昨天收到传票", "2026-11-25"),
        ("前天", "2026-11-24"),
        ("上周五收到的", "2026-11-20"),  # the Friday of the week before
        ("这周三", "2026-11-25"),
        ("下周一开庭", "2026-11-30"),
        ("三天前", "2026-11-23"),
        ("10天后", "2026-12-06"),
        ("上个月20号收到判决", "2026-10-20"),
        ("这个月3号", "2026-11-03"),
        ("下个月5号开庭", "2026-12-05"),
        ("上上个月1号", "2026-09-01"),
        ("20号收到的", "2026-11-20"),  # a day not after today: this month's
        ("28号收到的", "2026-10-28"),  # this month's 28th is still to come: last month's
        ("二十日收到的", "2026-11-20"),
        ("昨儿个拿到的", "2026-11-25"),
        ("今儿刚收到", "2026-11-26"),
        ("前儿个", "2026-11-24"),
    ],
)
def test_dates_resolve_against_the_message_time(text: str, iso: str) -> None:
    found = extract_dates(normalize(text).text, THURSDAY)
    assert [e.value for e in found] == [iso]


def test_impossible_dates_are_ignored() -> None:
    assert extract_dates("2025年2月30日", THURSDAY) == []


@pytest.mark.parametrize(
    "text",
    ["（2025）内0602民初12号", "在3号法庭开庭", "到5号窗口", "判决书上写十五日内可以上诉", "第5号"],
)
def test_serials_rooms_and_spans_are_no_dates(text: str) -> None:
    assert extract_dates(normalize(text).text, THURSDAY) == []


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("我电话13800001234", "13800001234"),
        ("手机 138 0000 1234 谢谢", "13800001234"),
        ("138-0000-1234", "13800001234"),
    ],
)
def test_phones(text: str, digits: str) -> None:
    assert [e.value for e in extract_phones(normalize(text).text)] == [digits]


def test_phone_not_inside_a_longer_number() -> None:
    assert extract_phones("15060219900101123800") == []


def test_id_numbers_need_a_valid_checksum() -> None:
    valid = "11010519491231002X"  # the GB 11643 textbook example
    assert id_checksum_ok(valid)
    assert [e.value for e in extract_id_numbers(normalize(f"身份证{valid.lower()}").text)] == [
        valid
    ]
    assert extract_id_numbers("110105194912310021") == []  # wrong check digit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("货款15万一直拖着不给", [150000]),  # the 一 belongs to 一直
        ("我们八个人能一块起诉吗", []),  # 一块 = together
        ("案款发放一般要多久", []),
        ("二审要交钱吗", []),
        ("开车一千多公里过来", []),
        ("五块钱", [5]),
    ],
)
def test_amount_words_that_are_not_money(text: str, expected: list[int]) -> None:
    assert [v for v, _ in amounts(text)] == expected
