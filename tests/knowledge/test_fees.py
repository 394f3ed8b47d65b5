"""The fee calculator against 《诉讼费用交纳办法》, band edge by band edge.

Expected figures are computed by hand from art.13/14 (facts.md §2.9 shows the
arithmetic), never by calling the code under test.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from knowledge.fees import FeeError, calculate_fee, load_fee_schedule
from knowledge.loader import KnowledgeDataError

D = Decimal

# facts.md §2.9, the worked table: claim → (受理费, halved, 支付令, 保全费, 执行申请费)
WORKED_TABLE = [
    (5_000, "50", "25", "16.67", "70", "50"),
    (20_000, "300", "150", "100", "220", "200"),
    (50_000, "1050", "525", "350", "520", "650"),
    (100_000, "2300", "1150", "766.67", "1020", "1400"),
    (200_000, "4300", "2150", "1433.33", "1520", "2900"),
    (500_000, "8800", "4400", "2933.33", "3020", "7400"),
    (1_000_000, "13800", "6900", "4600", "5000", "12400"),
    (2_000_000, "22800", "11400", "7600", "5000", "22400"),
    (10_000_000, "81800", "40900", "27266.67", "5000", "77400"),
    (30_000_000, "191800", "95900", "63933.33", "5000", "97400"),
]


@pytest.mark.parametrize(("claim", "full", "half", "order", "pres", "enf"), WORKED_TABLE)
def test_worked_table_of_facts(
    claim: int, full: str, half: str, order: str, pres: str, enf: str
) -> None:
    assert calculate_fee("property", claim).fee == D(full)
    assert calculate_fee("property", claim, procedure="simplified").fee == D(half)
    assert calculate_fee("payment_order", claim).fee == D(order)
    assert calculate_fee("preservation", claim).fee == D(pres)
    assert calculate_fee("enforcement", claim).fee == D(enf)


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("0", "50"),
        ("10000", "50"),  # flat band edge
        ("10000.01", "50.00"),  # 0.01 × 2.5% = 0.00025 → rounds to the fen
        ("10040", "51"),  # 40 × 2.5% = 1
        ("100000", "2300"),
        ("100001", "2300.02"),  # 1 × 2%
        ("200000", "4300"),
        ("200100", "4301.50"),  # 100 × 1.5%
        ("500000", "8800"),
        ("500100", "8801"),  # 100 × 1%
        ("1000000", "13800"),
        ("1000100", "13800.90"),  # 100 × 0.9%
        ("2000000", "22800"),
        ("2000100", "22800.80"),
        ("5000000", "46800"),
        ("5000100", "46800.70"),
        ("10000000", "81800"),
        ("10000100", "81800.60"),
        ("20000000", "141800"),
        ("20000001", "141800.01"),  # 0.005 rounds half up
        ("20000100", "141800.50"),
    ],
)
def test_property_band_edges(claim: str, expected: str) -> None:
    assert calculate_fee("property", claim).fee == D(expected)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("10000", "50"),
        ("10100", "51.50"),  # 100 × 1.5%
        ("500000", "7400"),  # 50 + 490,000 × 1.5%
        ("500100", "7401"),
        ("5000000", "52400"),  # 7,400 + 4,500,000 × 1%
        ("5000100", "52400.50"),
        ("10000000", "77400"),  # 52,400 + 5,000,000 × 0.5%
        ("10001000", "77401"),  # 1,000 × 0.1%
        ("20000000", "87400"),
    ],
)
def test_enforcement_band_edges(amount: str, expected: str) -> None:
    result = calculate_fee("enforcement", amount)
    assert result.fee == D(expected)
    assert result.min is None and result.max is None


def test_enforcement_without_amount_is_a_range_with_court_notice() -> None:
    result = calculate_fee("enforcement")
    assert (result.min, result.max, result.fee) == (D(50), D(500), D(50))
    assert any("以法院公告为准" in note for note in result.notes)
    assert any("被执行人负担" in note for note in result.notes)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (None, "30"),  # no amount: per application
        ("0", "30"),
        ("1000", "30"),
        ("1100", "31"),  # 100 × 1%
        ("100000", "1020"),  # 30 + 99,000 × 1%
        ("100200", "1021"),  # 200 × 0.5%
        ("895800", "4999"),
        ("896000", "5000"),  # the cap is reached here (facts.md §2.9)
        ("896200", "5000"),
        ("50000000", "5000"),
    ],
)
def test_preservation_edges_and_cap(amount: str | None, expected: str) -> None:
    assert calculate_fee("preservation", amount).fee == D(expected)


def test_divorce_range_and_property_part() -> None:
    plain = calculate_fee("divorce")
    assert (plain.min, plain.max) == (D(50), D(300))
    assert plain.tag == "U"
    assert calculate_fee("divorce", 200_000).max == D(300)  # ≤ 200k: nothing extra
    with_property = calculate_fee("divorce", 300_000)  # 100,000 × 0.5% = 500
    assert (with_property.min, with_property.max) == (D(550), D(800))
    assert calculate_fee("divorce", 200_200).min == D(51)


def test_personality_rights_range_and_damages_bands() -> None:
    assert (calculate_fee("personality_rights").min, calculate_fee("personality_rights").max) == (
        D(100),
        D(500),
    )
    assert calculate_fee("personality_rights", 50_000).min == D(100)  # ≤ 50k nothing extra
    assert calculate_fee("personality_rights", 100_000).min == D(600)  # 50,000 × 1%
    # 500 + 100,000 × 0.5% = 1,000 extra
    assert calculate_fee("personality_rights", 200_000).max == D(1500)


def test_ip_without_amount_is_a_range_and_with_amount_uses_property_scale() -> None:
    assert (calculate_fee("ip").min, calculate_fee("ip").max) == (D(500), D(1000))
    with_amount = calculate_fee("ip", 50_000)
    assert with_amount.fee == D(1050)
    assert with_amount.min is None


@pytest.mark.parametrize(
    ("kind", "subject", "expected"),
    [
        ("labor", None, "10"),
        ("administrative", None, "50"),
        ("administrative", "trademark", "100"),
        ("administrative", "patent", "100"),
        ("administrative", "maritime", "100"),
        ("public_notice", None, "100"),
        ("arbitration_review", None, "400"),
    ],
)
def test_fixed_fees(kind: str, subject: str | None, expected: str) -> None:
    assert calculate_fee(kind, subject=subject).fee == D(expected)


def test_ranges_of_other_non_property_and_jurisdiction_objection() -> None:
    for kind in ("other_non_property", "jurisdiction_objection"):
        result = calculate_fee(kind)
        assert (result.min, result.max) == (D(50), D(100))


def test_amount_given_for_a_flat_kind_is_ignored_with_a_note() -> None:
    result = calculate_fee("labor", 50_000)
    assert result.fee == D(10)
    assert any("不按金额计算" in note for note in result.notes)


def test_bankruptcy_is_half_the_property_scale_capped_at_300000() -> None:
    assert calculate_fee("bankruptcy", 30_000_000).fee == D(95_900)
    # 141,800 + 80,000,000 × 0.5% = 541,800; half = 270,900
    assert calculate_fee("bankruptcy", 100_000_000).fee == D(270_900)
    assert calculate_fee("bankruptcy", 200_000_000).fee == D(300_000)


def test_halving_is_applied_once_only() -> None:
    once = calculate_fee("property", 50_000, procedure="simplified", closure="mediation")
    assert once.fee == D(525)
    assert once.full_fee == D(1050)
    assert any("只减半一次" in step for step in once.steps)
    assert calculate_fee("property", 50_000, closure="withdrawal").fee == D(525)
    assert calculate_fee("property", 50_000, procedure="small_claims").fee == D(525)
    assert calculate_fee("labor", procedure="simplified").fee == D(5)


def test_halved_range_halves_both_ends() -> None:
    result = calculate_fee("divorce", procedure="simplified")
    assert (result.min, result.max) == (D(25), D(150))


def test_application_fees_are_not_halved() -> None:
    result = calculate_fee("preservation", 100_000, procedure="simplified")
    assert result.fee == D(1020)
    assert not result.halved
    assert any("申请费不减半" in note for note in result.notes)


def test_steps_explain_each_band_in_chinese() -> None:
    steps = calculate_fee("property", 1_000_000).steps
    text = "\n".join(steps)
    assert "不超过10,000元的部分：按件交纳50元" in text
    assert "10,000元至100,000元的部分：90,000元 × 2.5% = 2,250元" in text
    assert "500,000元至1,000,000元的部分：500,000元 × 1% = 5,000元" in text
    assert steps[-1] == "合计：13,800元"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "property"}, "需要"),
        ({"kind": "property", "amount": "-5"}, "无效"),
        ({"kind": "property", "amount": "五万"}, "不是有效的数字"),
        ({"kind": "property", "amount": "NaN"}, "无效"),
        ({"kind": "lottery"}, "不认识"),
        ({"kind": "property", "amount": 1, "procedure": "fast"}, "程序"),
        ({"kind": "labor", "subject": "patent"}, "只适用于行政案件"),
    ],
)
def test_bad_questions_get_a_chinese_reason(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(FeeError, match=message):
        calculate_fee(**kwargs)  # type: ignore[arg-type]


def test_court_configured_amount_replaces_the_range(tmp_path: Path) -> None:
    (tmp_path / "fees.yaml").write_text(
        "amounts:\n  divorce: {amount: 200, source: 测试文件}\n", encoding="utf-8"
    )
    result = calculate_fee("divorce", schedule=load_fee_schedule(tmp_path))
    assert result.fee == D(200)
    assert result.min is None
    assert not any("以法院公告为准" in note for note in result.notes)


def test_configured_amount_outside_the_statutory_range_is_refused(tmp_path: Path) -> None:
    (tmp_path / "fees.yaml").write_text(
        "amounts:\n  divorce: {amount: 400, source: 测试}\n", encoding="utf-8"
    )
    with pytest.raises(KnowledgeDataError, match="超出法定幅度"):
        load_fee_schedule(tmp_path)


def test_shipped_court_config_keeps_ranges_unverified() -> None:
    schedule = load_fee_schedule(Path(__file__).parents[2] / "config")
    assert schedule.local_amounts == {}
