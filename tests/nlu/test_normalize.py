from __future__ import annotations

import pytest

from nlu.normalize import normalize


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("訴訟費怎麼交", "诉讼费怎么交"),
        ("（２０２４）内０６０２民初１２号", "(2024)内0602民初12号"),
        ("ＡＢＣ", "abc"),
        ("我想起述", "我想起诉"),
        ("判绝书看不懂", "判决书看不懂"),
        ("执形款", "执行款"),
        ("😭离婚", "😭离婚"),
    ],
)
def test_normal_form(typed: str, normal: str) -> None:
    assert normalize(typed).text == normal


@pytest.mark.parametrize("typed", ["㎡①", "ﬁ", "\x00\x01", "a" * 100, "離婚訴訟費 ＡＢＣ 😭", ""])
def test_positions_always_align_with_what_was_typed(typed: str) -> None:
    assert len(normalize(typed).text) == len(typed)
