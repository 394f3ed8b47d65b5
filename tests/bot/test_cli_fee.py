from __future__ import annotations

import json
from collections.abc import Callable

Cli = Callable[..., tuple[int, str, str]]


def test_fee_json_has_the_contract_fields(cli: Cli) -> None:
    status, out, _ = cli("fee", "property", "--amount", "50000", "--json")
    assert status == 0
    data = json.loads(out)
    assert data["kind"] == "property"
    assert data["amount"] == 50000
    assert data["procedure"] == "ordinary"
    assert data["fee"] == 1050
    assert isinstance(data["steps"], list) and data["steps"]


def test_fee_json_range_has_min_and_max(cli: Cli) -> None:
    data = json.loads(cli("fee", "divorce", "--json")[1])
    assert (data["min"], data["max"], data["fee"]) == (50, 300, 50)


def test_payment_order_json_is_rounded_to_the_cent(cli: Cli) -> None:
    data = json.loads(cli("fee", "payment_order", "--amount", "5000", "--json")[1])
    assert data["fee"] == 16.67


def test_fee_human_output_is_chinese(cli: Cli) -> None:
    status, out, _ = cli("fee", "property", "--amount", "50000", "--procedure", "simplified")
    assert status == 0
    assert out.startswith("财产案件受理费：525元")
    assert "减半" in out


def test_fee_missing_amount_exits_2_with_one_line(cli: Cli) -> None:
    status, out, err = cli("fee", "property")
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and "金额" in err


def test_fee_unknown_kind_exits_2(cli: Cli) -> None:
    status, _, err = cli("fee", "lottery", "--amount", "1")
    assert status == 2 and err.count("\n") == 1


def test_fee_bad_amount_exits_2(cli: Cli) -> None:
    status, _, err = cli("fee", "property", "--amount", "abc")
    assert status == 2 and "金额" in err


def test_fee_amount_at_the_ceiling_exits_2_with_the_same_words(cli: Cli) -> None:
    for amount in ("1e309", "10000000000000", "9999999999999999999"):
        status, _, err = cli("fee", "property", "--amount", amount)
        assert status == 2 and "金额太大了" in err and err.count("\n") == 1
