"""The case fixture: the demo cases are sound; a broken file is refused, file and case named."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.court.fixture import DEMO_FIXTURE, FixtureError, load_fixture, read
from knowledge.case_number import parse_case_number
from knowledge.courts import load_court_directory
from tests.bot.court.builders import a_case

WriteFixture = Callable[..., Path]

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_checksum_ok(number: str) -> bool:
    """GB 11643: the 18th character is the ISO 7064 MOD 11-2 check of the first 17."""
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17]


def test_the_demo_fixture_loads_and_covers_the_ordos_courts_and_case_kinds() -> None:
    fixture = load_fixture(None)
    assert fixture.origin == str(DEMO_FIXTURE)
    cases = list(fixture.cases.values())
    assert len(cases) >= 12
    numbers = [parse_case_number(c.case_number) for c in cases]
    assert {"内06", "内0602", "内0603", "内0621", "内0622", "内0624", "内0627"} <= {
        n.court_code for n in numbers
    }
    assert {"民初", "民终", "执", "行初", "刑初"} <= {n.type_code for n in numbers}
    assert {"执保", "财保"} & {n.type_code for n in numbers}
    stages = {c.record.stage for c in cases}
    assert {"已立案", "审理中", "已开庭", "已判决", "执行中", "已结案"} <= stages
    causes = {c.record.cause for c in cases}
    assert {"民间借贷纠纷", "离婚纠纷", "机动车交通事故责任纠纷", "劳动争议纠纷"} <= causes
    statuses = {p.status for c in cases for p in c.record.payments}
    assert {"待发放", "已发放"} <= statuses
    assert {h.at.year for c in cases for h in c.record.hearings} == {2026, 2027}


def test_demo_court_names_are_the_directory_names_of_their_codes() -> None:
    directory = load_court_directory()
    for case in load_fixture(None).cases.values():
        court = directory.by_code(parse_case_number(case.case_number).court_code)
        assert court is not None and court.name == case.record.court, case.case_number


def test_demo_personal_data_is_visibly_fake() -> None:
    for case in load_fixture(None).cases.values():
        assert re.fullmatch(r"[0-9A-Z]{6}", case.query_code), case.case_number
        for person in (*case.parties, case.record):
            names = [getattr(person, key, None) for key in ("name", "judge", "clerk")]
            for name in filter(None, names):
                # "张某" style for people; organisations are "某…公司" / "某行政机关".
                assert re.fullmatch(r"[\u4e00-\u9fff]某|某[\u4e00-\u9fff]+", name), name
        for party in case.parties:
            if party.id_number is not None:
                assert len(party.id_number) == 18 and id_checksum_ok(party.id_number)
            if party.phone is not None:
                assert re.fullmatch(r"139000011\d\d", party.phone)


def test_hearing_times_without_an_offset_are_beijing_time(write_fixture: WriteFixture) -> None:
    path = write_fixture({"cases": [a_case(hearings=[{"at": "2025-10-10T09:30:00"}])]})
    hearing = read(path).cases["（2025）内0602民初1234号"].record.hearings[0]
    assert hearing.at.utcoffset() == timedelta(hours=8)
    assert hearing.room is None


def test_a_case_number_is_stored_in_canonical_form(write_fixture: WriteFixture) -> None:
    path = write_fixture({"cases": [a_case(case_number="(2025)内0602民初01234")]})
    case = read(path).get("（2025）内0602民初1234号")
    assert case is not None
    assert case.record.payments[0].amount == Decimal("50000.00")
    assert case.record.filed_on == date(2025, 8, 1)


BROKEN: list[tuple[str, Any, str]] = [
    ("duplicate", [a_case(), a_case(case_number="（2025）内0602民初01234号")], "与第 1 个案件重复"),
    ("bad number", [a_case(case_number="（2025）内0602民X1234号")], "案号无效"),
    ("bad date", [a_case(filed_on="2025-02-30")], "filed_on 不是存在的日期"),
    ("date format", [a_case(filed_on="2025/08/01")], "filed_on 应为 YYYY-MM-DD"),
    (
        "negative amount",
        [a_case(payments=[{"amount": -5, "status": "待发放"}])],
        "不小于 0",
    ),
    (
        "fractional fen",
        [a_case(payments=[{"amount": "1.005", "status": "待发放"}])],
        "两位小数",
    ),
    (
        "paid before received",
        [
            a_case(
                payments=[
                    {
                        "amount": 1,
                        "status": "已发放",
                        "received_on": "2025-09-02",
                        "paid_out_on": "2025-09-01",
                    }
                ]
            )
        ],
        "早于",
    ),
    ("unknown field", [a_case(hearing=[])], "不认识的字段 hearing"),
    ("missing field", [{k: v for k, v in a_case().items() if k != "cause"}], "缺少字段 cause"),
    ("no parties", [a_case(parties=[])], "至少要有一位当事人"),
    ("bad hearing time", [a_case(hearings=[{"at": "明天上午"}])], "ISO 8601"),
    ("bad query code", [a_case(query_code="查询码")], "query_code"),
]


@pytest.mark.parametrize(
    ("content", "problem"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_a_broken_case_is_refused_naming_the_file_and_the_case(
    write_fixture: WriteFixture, content: list[dict[str, Any]], problem: str
) -> None:
    path = write_fixture({"cases": content})
    with pytest.raises(FixtureError) as caught:
        read(path)
    message = str(caught.value)
    assert str(path) in message
    assert f"第 {len(content)} 个案件（{content[-1]['case_number']}）" in message
    assert problem in message


def test_a_broken_id_number_is_refused_without_echoing_it(write_fixture: WriteFixture) -> None:
    party = {"name": "张某", "role": "原告", "id_number": "15060219900101123#"}
    path = write_fixture({"cases": [a_case(parties=[party])]})
    with pytest.raises(FixtureError, match="id_number") as caught:
        read(path)
    assert "15060219900101123" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"cases": [', "不是有效的 JSON：第 1 行"),
        ('[{"case_number": "x"}]', '{"cases": [...]}'),
        ('{"case": []}', '{"cases": [...]}'),
    ],
)
def test_a_file_of_the_wrong_shape_is_refused(
    write_fixture: WriteFixture, text: str, problem: str
) -> None:
    path = write_fixture(text)
    with pytest.raises(FixtureError, match=re.escape(problem)) as caught:
        read(path)
    assert str(path) in str(caught.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="找不到案件数据文件"):
        read(tmp_path / "absent.json")
