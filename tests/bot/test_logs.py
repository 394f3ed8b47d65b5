"""Logs never carry a litigant's ID or phone number verbatim."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logs import AccessPathFilter, JsonFormatter, MaskingFilter, loggable_path, logging_config
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


def test_access_lines_carry_neither_query_strings_nor_case_numbers() -> None:
    """uvicorn's access line prints the path with its query: ids and case numbers went there."""
    path = "/webhooks/rest/messages?sender=litigant-42&after=3"
    case = "/court-sim/v1/cases/%EF%BC%882026%EF%BC%89%E5%86%850602/hearings?x=1"
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )
    assert AccessPathFilter().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /webhooks/rest/messages HTTP/1.1" 200'
    assert loggable_path(case) == "/court-sim/v1/cases/{case_number}/hearings"
    assert loggable_path("/webchat/messages") == "/webchat/messages"


def test_httpx_request_lines_are_not_logged() -> None:
    """httpx logs each request's URL at INFO: a case look-up's names the case."""
    loggers = logging_config("DEBUG")["loggers"]
    assert loggers["httpx"]["level"] == "WARNING" and loggers["httpcore"]["level"] == "WARNING"
    assert loggers["uvicorn.access"]["filters"] == ["access"]
