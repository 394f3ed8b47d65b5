"""Amounts of money in yuan, from digits, 万/千/百, Chinese numerals and mixtures."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import cn2an

from knowledge.limits import AMOUNT_CEILING, amount_text
from nlu.extractors.base import Entity

_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟萬"
_NUMBER = (
    rf"(?:\d+(?:\.\d+)?e[+-]?\d+"  # 1e20: scientific notation is one number, not "1"
    rf"|\d+(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?(?:[万千百亿萬][{_CN_DIGITS}\d]*)?"
    rf"|[{_CN_DIGITS}]+)"
)
# Currency units that make any number an amount; multipliers (w, k) scale it.
_UNIT = r"(?:万元|万块钱?|千元|千块钱?|元钱?|块钱?|rmb|人民币|w|k)"
_BEFORE = rf"(?<![\d.,a-z{_CN_DIGITS}])"
# A minus sign (or 负) right before the number, unless it joins a range like 3-5万.
_AMOUNT = re.compile(
    rf"(?:{_BEFORE}(?P<sign>[-−负]))?{_BEFORE}(?P<num>{_NUMBER})(?P<unit>{_UNIT})?"
)
#: Words after a number that make it a count or a measure, not money.
_NOT_MONEY_AFTER = re.compile(
    r"^\s?(?:多|余|来)?(?:个|人|天|日|号|年|月|周|次|件|位|名|岁|斤|公斤|亩|平|米|公里|里|头|只|"
    r"条|张|份|页|分钟|小时|点|楼|层|%|％|期|批|类|种|项|字|倍|审|户|家|辆|套|间|吨|方|车)"
)
#: Words shortly before a bare number that show it is money.
_MONEY_BEFORE = re.compile(
    r"(?:标的|金额|标的额|欠|借|赔|赔偿|工资|货款|租金|押金|房租|欠款|本金|利息|诉讼费|费用|执行款|案款|"
    r"钱|价值|总额|索赔|要回|讨要|保全|冻结|拖欠|损失)[^\d]{0,4}$"
)
_MULTIPLIER = {"w": Decimal(10_000), "k": Decimal(1_000)}
_SCALE = {"万": Decimal(10_000), "千": Decimal(1_000), "百": Decimal(100), "亿": Decimal(10**8)}
#: Exponent (either way) from which a value is written as 1E+309 / 1E-999999, never as
#: its digits: "1e-999999元" would otherwise become a megabyte of zeros.
_HUGE = 30
#: Digits and one Chinese multiplier (1.5万, 3千): computed exactly, not by cn2an's floats.
_DIGITS_TIMES = re.compile(r"^(?P<digits>\d+(?:\.\d+)?)(?P<scale>[万千百亿])$")


def _to_number(token: str) -> Decimal | None:
    """The exact value of a number token; never through a float, which would round
    9999999999999999999 up to 10^19."""
    cleaned = token.replace(",", "").replace("萬", "万")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        pass
    scaled = _DIGITS_TIMES.match(cleaned)
    if scaled:
        return Decimal(scaled["digits"]) * _SCALE[scaled["scale"]]
    try:
        value = cn2an.cn2an(cleaned, "smart")
    except (ValueError, KeyError, IndexError):
        return None
    return Decimal(value) if isinstance(value, int) else Decimal(str(value))


def entity_value(amount: Decimal) -> int | str:
    """The entity's value: an int when whole and plausible (50000), else exact text.

    Text for a fraction ("12345.6") and for what the dialogs will refuse ("-50000",
    "1E+20"): a 5000-digit int could not even be written out as JSON.
    """
    if 0 < amount < AMOUNT_CEILING and amount == amount.to_integral_value():
        return int(amount)
    return str(amount) if abs(amount.adjusted()) >= _HUGE else amount_text(amount)


def _looks_like_money(num: str, before: str, after: str) -> bool:
    """Whether a number typed without a currency unit is an amount of money."""
    if _NOT_MONEY_AFTER.match(after):
        return False
    if all(ch in _CN_DIGITS for ch in num):
        if not any(ch in num for ch in "百万千亿萬"):
            return False  # 一 / 三十 alone: a count or a word (一般, 一审), not money
        if any(ch in num for ch in "万千亿萬"):
            return True
        return bool(_MONEY_BEFORE.search(before))  # 两百 / 五百: only in a money context
    if any(ch in num for ch in "万千百亿萬"):
        return True  # 5万, 1.5万, 3千
    return bool(_MONEY_BEFORE.search(before))  # bare digits: only in a money context


def extract_amounts(text: str) -> list[Entity]:
    found: list[Entity] = []
    for match in _AMOUNT.finditer(text):
        num, unit = match.group("num"), match.group("unit") or ""
        if num[0] in "万千百亿萬":  # 千万别… / 万一… are words, not numbers
            continue
        start, end = match.start("num"), match.end()
        if not unit and len(num) > 2 and num[-1] == "一" and num[-2] in "万千萬":
            # "15万一直拖着": the 一 starts the next word (一直, 一共, 一次)
            num, end = num[:-1], end - 1
        if num in ("一", "两") and unit.startswith("块") and unit != "块钱":
            continue  # 一块去 / 一块起诉: "together", not one yuan
        if not unit and not _looks_like_money(num, text[:start], text[end:]):
            continue
        value = _to_number(num)
        if value is None or not value.is_finite() or value == 0:
            continue
        if value.adjusted() < _HUGE:  # beyond it the units only risk a Decimal overflow
            if unit.startswith("万") and not any(ch in num for ch in "万萬"):
                value *= 10_000
            elif unit.startswith("千"):
                value *= 1_000
            if unit in _MULTIPLIER:
                value *= _MULTIPLIER[unit]
        if match.group("sign"):
            value, start = -value, match.start("sign")
        found.append(Entity("amount", entity_value(value), start, end))
    return found
