"""When the court system is slow, failing or gone, a lookup fails fast with CourtUnavailable."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.court.client import HttpCourtGateway
from bot.court.simulator import create_simulator
from dialogs.court import CourtUnavailable
from tests.bot.court.builders import CIVIL, record_of
from tests.bot.court.server import ServerThread, run_in_thread


class FaultControl:
    """The simulator's /_sim/faults endpoints, as a test uses them."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url)

    def set(self, **settings: Any) -> dict[str, Any]:
        answer = self.http.put("/_sim/faults", json=settings)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def state(self) -> dict[str, Any]:
        return dict(self.http.get("/_sim/faults").json())

    def reset(self) -> dict[str, Any]:
        return dict(self.http.delete("/_sim/faults").json())


@pytest.fixture
def faults(court_url: str) -> Iterator[FaultControl]:
    control = FaultControl(court_url)
    yield control
    control.http.close()


def test_a_slow_court_is_given_up_on_within_the_budget(
    gateway: HttpCourtGateway, faults: FaultControl
) -> None:
    faults.set(delay_seconds=4)
    started = time.monotonic()
    with pytest.raises(CourtUnavailable, match="3 秒内没有答复"):
        gateway.lookup(CIVIL, "K7M2Q9")
    assert time.monotonic() - started < 3.5


def test_a_server_error_is_retried_once_then_reported(
    gateway: HttpCourtGateway, faults: FaultControl
) -> None:
    faults.set(status=500)
    with pytest.raises(CourtUnavailable, match="服务器错误 500"):
        gateway.lookup(CIVIL, "K7M2Q9")
    assert faults.state()["v1_requests"] == 2  # the first try and one retry


def test_a_passing_server_error_is_absorbed_by_the_retry(
    gateway: HttpCourtGateway, faults: FaultControl
) -> None:
    faults.set(status=503, times=1)
    record = record_of(gateway.lookup(CIVIL, "K7M2Q9"))
    assert record is not None and record.case_number == CIVIL
    assert faults.state()["status"] is None  # the one-off fault is used up


def test_a_dropped_connection_is_reported(gateway: HttpCourtGateway, faults: FaultControl) -> None:
    faults.set(drop=True)
    with pytest.raises(CourtUnavailable, match="无法连接法院接口"):
        gateway.lookup(CIVIL, "K7M2Q9")
    assert faults.state()["v1_requests"] == 2


def test_clearing_the_fault_brings_the_court_back(
    gateway: HttpCourtGateway, faults: FaultControl
) -> None:
    faults.set(status=502)
    with pytest.raises(CourtUnavailable):
        gateway.lookup(CIVIL, "K7M2Q9")
    assert faults.reset() == {
        "delay_seconds": 0,
        "status": None,
        "drop": False,
        "times": None,
        "v1_requests": 0,
    }
    assert gateway.lookup(CIVIL, "K7M2Q9") is not None


def test_post_and_the_short_name_delay_work_too(faults: FaultControl) -> None:
    answer = faults.http.post("/_sim/faults", json={"delay": 0.5, "times": 2})
    assert answer.status_code == 200
    assert answer.json()["delay_seconds"] == 0.5 and answer.json()["times"] == 2


def test_the_fault_endpoints_need_the_api_key_when_one_is_set() -> None:
    with run_in_thread(create_simulator(None, "k")) as url:
        refused = httpx.put(f"{url}/_sim/faults", json={"status": 500})
        assert refused.status_code == 401 and refused.json()["code"] == "invalid_api_key"
        allowed = httpx.put(f"{url}/_sim/faults", json={"status": 500}, headers={"X-API-Key": "k"})
        assert allowed.status_code == 200


def test_a_bad_fault_setting_is_refused_in_chinese(faults: FaultControl) -> None:
    answer = faults.http.put("/_sim/faults", json={"status": 200})
    assert answer.status_code == 422
    assert answer.json()["message"].startswith("请求格式不正确")


def test_fault_injection_can_be_switched_off() -> None:
    with run_in_thread(create_simulator(None, None, faults=False)) as url:
        assert httpx.put(f"{url}/_sim/faults", json={"status": 500}).status_code == 404


def test_a_stopped_court_is_reported_after_a_retry() -> None:
    server = ServerThread(create_simulator(None, None))
    server.start()
    with HttpCourtGateway(server.base_url, None) as client:
        assert client.lookup(CIVIL, "K7M2Q9") is not None
        server.stop()
        started = time.monotonic()
        with pytest.raises(CourtUnavailable, match=r"无法连接法院接口.*已重试 1 次"):
            client.lookup(CIVIL, "K7M2Q9")
        assert time.monotonic() - started < 1


async def not_json(request: Request) -> Response:
    return Response(b"<html>maintenance</html>", media_type="text/html")


async def wrong_shape(request: Request) -> Response:
    return Response(b'{"token": "abc"}', media_type="application/json")


@pytest.mark.parametrize("endpoint", [not_json, wrong_shape])
def test_a_malformed_answer_is_reported_not_trusted(endpoint: Any) -> None:
    app = Starlette(routes=[Route("/v1/cases/verify", endpoint, methods=["POST"])])
    with (
        run_in_thread(app) as url,
        HttpCourtGateway(url, None) as client,
        pytest.raises(CourtUnavailable, match="数据格式不正确"),
    ):
        client.lookup(CIVIL, "K7M2Q9")


def test_failures_are_logged_without_the_proof(
    gateway: HttpCourtGateway, faults: FaultControl, caplog: pytest.LogCaptureFixture
) -> None:
    faults.set(status=500)
    with pytest.raises(CourtUnavailable):
        gateway.lookup(CIVIL, "150602199001011238")
    logged = caplog.text
    assert "court API unavailable" in logged and CIVIL not in logged  # nor the case number
    assert "011238" not in logged
