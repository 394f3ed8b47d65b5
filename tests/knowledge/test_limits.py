"""The amount ceiling: one constant, refused the same way by every calculator."""

from __future__ import annotations

from decimal import Decimal

import pytest

from knowledge.fees import FeeError, calculate_fee
from knowledge.limits import (
    AMOUNT_CEILING,
    NOT_A_NUMBER,
    NOT_POSITIVE,
    TOO_LARGE,
    AmountError,
    amount_text,
    parse_amount,
)


def test_the_ceiling_is_ten_trillion_yuan() -> None:
    assert Decimal(10**13) == AMOUNT_CEILING


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (50000, Decimal(50000)),
        ("12345.6", Decimal("12345.6")),
        ("1,050", Decimal(1050)),
        ("9999999999999.99", Decimal("9999999999999.99")),
        (Decimal("0.01"), Decimal("0.01")),
        ("12345.678", Decimal("12345.68")),  # kept to the fen
    ],
)
def test_plausible_amounts_are_kept_exactly(value: object, expected: Decimal) -> None:
    assert parse_amount(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1e309", TOO_LARGE),
        ("9999999999999999999", TOO_LARGE),
        (10**13, TOO_LARGE),
        pytest.param(10**5000, TOO_LARGE, id="5000-digits"),
        ("-50000", NOT_POSITIVE),
        (0, NOT_POSITIVE),
        ("0.001", NOT_POSITIVE),
        ("1e-999999", NOT_POSITIVE),
        ("-1e999999", NOT_POSITIVE),
        ("NaN", NOT_A_NUMBER),
        ("Infinity", NOT_A_NUMBER),
        ("五万", NOT_A_NUMBER),
        ("", NOT_A_NUMBER),
        (True, NOT_A_NUMBER),
        (5000.5, NOT_A_NUMBER),  # a float has lost digits already
        ([1], NOT_A_NUMBER),
        (None, NOT_A_NUMBER),
    ],
)
def test_implausible_amounts_are_refused_in_chinese(value: object, message: str) -> None:
    with pytest.raises(AmountError, match=message):
        parse_amount(value)


def test_amount_text_has_no_exponent() -> None:
    assert amount_text(Decimal("1E+5")) == "100000"
    assert amount_text(Decimal("12345.60")) == "12345.6"


@pytest.mark.parametrize(
    "amount",
    ["1e309", "9999999999999999999", 10**13, pytest.param(10**5000, id="5000-digits")],
)
def test_the_fee_calculator_refuses_amounts_at_the_ceiling(amount: object) -> None:
    with pytest.raises(FeeError, match=TOO_LARGE):
        calculate_fee("property", amount)  # type: ignore[arg-type]


def test_the_fee_calculator_answers_just_below_the_ceiling() -> None:
    result = calculate_fee("property", AMOUNT_CEILING - Decimal("0.01"))
    assert result.fee > 0
