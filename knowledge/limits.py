"""How large an amount of money may be before it is a typo: one ceiling for every entry point.

A litigant's amount reaches the fee calculator from a typed message, a button
payload or the command line. Each of them checks it here, so "1e309" or a
30-digit number gets the same polite answer everywhere instead of an
arithmetic error deep inside the fee schedule. Decimal only: a float cannot
hold 9999999999999999999 and would silently round it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

#: Amounts at or above this (10^13 yuan, ten trillion) are refused as typos: more
#: than any claim a basic-level court hears, and far below where Decimal arithmetic
#: at 28 digits would lose the fen.
AMOUNT_CEILING = Decimal(10) ** 13
#: Amounts are kept to the fen: "0.001" is no amount, and "1e-999999" no megabyte of zeros.
FEN = Decimal("0.01")

TOO_LARGE = "金额太大了，请核对后重新输入"
NOT_POSITIVE = "金额应当大于零，请核对后重新输入"
NOT_A_NUMBER = "没看懂这个金额，请核对后重新输入"


class AmountError(ValueError):
    """The amount cannot be used; the message tells the litigant why, in Chinese."""


def parse_amount(value: object) -> Decimal:
    """``value`` (int, Decimal or numeric text) as a positive Decimal below the ceiling.

    Floats and booleans are refused: a float has already lost digits, and JSON's
    ``true`` is not an amount.
    """
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise AmountError(NOT_A_NUMBER)
    if isinstance(value, str):
        text = value.replace(",", "").replace("，", "").strip()
        if not text or len(text) > 64:
            raise AmountError(NOT_A_NUMBER)
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise AmountError(NOT_A_NUMBER) from exc
    else:
        amount = Decimal(value)
    return check_amount(amount)


def check_amount(amount: Decimal) -> Decimal:
    """``amount`` rounded to the fen when it is finite, positive and below the ceiling."""
    if not amount.is_finite():
        raise AmountError(NOT_A_NUMBER)
    if amount >= AMOUNT_CEILING:
        raise AmountError(TOO_LARGE)
    fen = amount.quantize(FEN, rounding=ROUND_HALF_UP) if amount > 0 else amount
    if fen <= 0:
        raise AmountError(NOT_POSITIVE)
    return fen


def amount_text(amount: Decimal) -> str:
    """Plain digits without an exponent (50000, 12345.6): how a slot stores an amount."""
    text = format(amount, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
