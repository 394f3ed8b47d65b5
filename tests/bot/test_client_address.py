"""Whose address a request is counted under: X-Forwarded-For only from trusted proxies."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.client_address import parse_proxies, resolve
from bot.settings import Settings

PROXIES = parse_proxies("127.0.0.1, 10.0.0.0/8, ::1")


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert resolve("127.0.0.1", ["6.6.6.6"], parse_proxies("")) == "127.0.0.1"
    assert resolve("203.0.113.5", ["6.6.6.6"], PROXIES) == "203.0.113.5"  # not a proxy


def test_the_right_most_untrusted_address_is_the_client() -> None:
    assert resolve("127.0.0.1", ["6.6.6.6, 203.0.113.9, 10.0.0.7"], PROXIES) == "203.0.113.9"
    assert resolve("10.1.1.1", ["1.1.1.1", "203.0.113.9"], PROXIES) == "203.0.113.9"
    assert resolve("::1", ["2001:db8::5"], PROXIES) == "2001:db8::5"
    assert resolve("127.0.0.1", [], PROXIES) == "127.0.0.1"
    assert resolve("127.0.0.1", ["10.0.0.1, 10.0.0.2"], PROXIES) == "10.0.0.1"
    assert resolve("127.0.0.1", ["not-an-ip"], PROXIES) == "not-an-ip"


def test_a_bad_proxy_entry_stops_start_up() -> None:
    with pytest.raises(ValidationError, match="YICHUANG_TRUSTED_PROXIES"):
        Settings(trusted_proxies="10.0.0.0/8, nonsense", _env_file=None)  # type: ignore[call-arg]
