"""Logs never carry a litigant's ID or phone number verbatim."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logs import JsonFormatter, MaskingFilter
from bot.privacy import mask_pii


def test_mask_pii_hides_the_middle_of_ids_and_phones() -> None:
    text = "身份证150602199001011238 电话 139-0000-1111 和13900001111"
    masked = mask_pii(text)
    assert "150602199001011238" not in masked and "150602********1238" in masked
    assert "13900001111" not in masked and "0000" not in masked
    assert masked.count("139****1111") == 2


def test_case_numbers_and_amounts_are_left_alone() -> None:
    text = "（2024）内0602民初1234号 标的50000元"
    assert mask_pii(text) == text


def test_json_log_lines_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "from %s", ("13900001111",), None)
    assert MaskingFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "from 139****1111"
    assert line["level"] == "INFO"
