"""Malformed values over the real REST route: a polite answer, no 500, nothing for the desk."""

from __future__ import annotations

import pytest

from tests.bot.rest_live import Live
from tests.databases import stored_rows

MESSAGES = [
    ('/fee_calculation{"fee_kind":"property","amount":"1e309"}', "金额太大了"),
    ('/fee_calculation{"fee_kind":"property","amount":1e309}', "金额太大了"),
    ('/fee_calculation{"fee_kind":"property","amount":' + "9" * 4400 + "}", None),
    ("借款纠纷 标的123456789012345678901234567890元 诉讼费多少", "金额太大了"),
    ("借款纠纷 标的9999999999999999999元 诉讼费多少", "金额太大了"),
    ("借款纠纷 标的1e20元 诉讼费多少", "金额太大了"),
    ("借款纠纷 标的-5万 诉讼费多少", "金额应当大于零"),
    ('/fee_calculation{"fee_kind":{"a":[1]}}', "没看懂这个选项"),
    ('/fee_calculation{"amount":NaN}', "没看懂这个金额"),
    (
        '/appeal{"flow":"deadline","deadline_kind":"appeal_civil_judgment","date":"2026-13-45"}',
        "日期不存在",
    ),
    (
        '/appeal{"flow":"deadline","deadline_kind":"appeal_civil_judgment","date":"99999-01-01"}',
        "日期不存在",
    ),
    ('/appeal{"flow":"deadline","deadline_kind":"nope"}', "没看懂这个选项"),
    ('/case_status{"case_number":{"x":1}}', "案号好像不对"),
    ('/pleading_template{"template":99999999999999999999999}', "没看懂这个选项"),
    ('/fee_calculation{"amount":' + "[" * 2400 + "]" * 2400 + "}", None),
]


@pytest.mark.parametrize(("message", "answer"), MESSAGES)
def test_malformed_values_get_a_polite_answer(live: Live, message: str, answer: str | None) -> None:
    text = live.text(message, sender="bad-values")  # asserts HTTP 200
    assert text and "系统出了点问题" not in text
    if answer is not None:
        assert answer in text
    rows = stored_rows(
        live.settings.database_url,
        "SELECT status FROM conversations WHERE sender_id = :s",
        s="bad-values",
    )
    assert [r[0] for r in rows] == ["bot"]  # no system error queued at the desk


def test_the_fee_form_goes_on_after_a_refused_amount(live: Live) -> None:
    assert "金额太大了" in live.text('/fee_calculation{"fee_kind":"property","amount":"1e309"}')
    assert "1,050元" in live.text("5万")
