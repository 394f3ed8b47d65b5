"""The built-in demo simulator is the app's alone: its own loopback port, a key made per start."""

from __future__ import annotations

import httpx

from bot.cli.serve import shared_simulator
from bot.settings import Settings
from tests.bot.rest_live import CASE, Live

VERIFY = {"case_number": CASE["case_number"], "proof": CASE["query_code"]}


def test_the_app_port_serves_no_simulator(live: Live) -> None:
    for path in ("/court-sim/openapi.json", "/court-sim/docs", "/court-sim/_sim/faults"):
        assert httpx.get(f"{live.url}{path}", timeout=10).status_code == 404, path
    spec = httpx.get(f"{live.url}/openapi.json", timeout=10).json()  # the app's own
    assert not any("/cases" in path or "_sim" in path for path in spec["paths"])
    answer = httpx.post(f"{live.url}/court-sim/v1/cases/verify", json=VERIFY, timeout=10)
    assert answer.status_code in (404, 405)
    # ... yet the assistant reaches it and answers a look-up.
    live.say("查案件进度")
    live.say(CASE["case_number"])
    assert CASE["stage"] in live.text(CASE["query_code"])


def test_the_simulator_listens_on_loopback_and_wants_the_start_key(live: Live) -> None:
    simulator = live.app.state.court_simulator
    assert simulator.url.startswith("http://127.0.0.1:")
    assert len(simulator.api_key) >= 40
    refused = httpx.post(f"{simulator.url}/v1/cases/verify", json=VERIFY, timeout=10)
    assert refused.status_code == 401
    wrong = {"X-API-Key": "guess"}
    assert httpx.get(f"{simulator.url}/_sim/faults", headers=wrong, timeout=10).status_code == 401
    key = {"X-API-Key": simulator.api_key}
    allowed = httpx.post(f"{simulator.url}/v1/cases/verify", json=VERIFY, headers=key, timeout=10)
    assert allowed.status_code == 200


def test_the_workers_simulator_has_a_fresh_key_too(settings: Settings) -> None:
    with shared_simulator(settings) as (url, key), shared_simulator(settings) as (_, other):
        assert key != other
        assert url.startswith("http://127.0.0.1:")
        refused = httpx.post(f"{url}/v1/cases/verify", json=VERIFY, timeout=10)
        assert refused.status_code == 401
        answer = httpx.post(
            f"{url}/v1/cases/verify", json=VERIFY, headers={"X-API-Key": key}, timeout=10
        )
        assert answer.status_code == 200
