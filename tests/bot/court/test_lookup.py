"""A party looks a case up through the real client against the simulator over loopback HTTP."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from bot.court.client import HttpCourtGateway
from bot.court.fixture import load_fixture
from bot.court.simulator import create_simulator
from dialogs.court import CourtRefused, CourtUnavailable, Hearing, Payment
from tests.bot.court.builders import CIVIL, ENFORCEMENT, UNKNOWN, a_case, record_of
from tests.bot.court.server import run_in_thread

BEIJING = timezone(timedelta(hours=8))


#: One client for the raw requests (creating one per request costs ~40 ms of TLS set-up).
HTTP = httpx.Client()


def verify(url: str, case_number: str, proof: str, **headers: str) -> httpx.Response:
    return HTTP.post(
        f"{url}/v1/cases/verify",
        json={"case_number": case_number, "proof": proof},
        headers=headers,
    )


def token_for(url: str, case_number: str, proof: str) -> str:
    answer = verify(url, case_number, proof)
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def case_path(url: str, case_number: str, suffix: str = "") -> str:
    return f"{url}/v1/cases/{quote(case_number, safe='')}{suffix}"


def raw_exchange(url: str, path: str, body: bytes) -> bytes:
    """One HTTP/1.1 request on a fresh socket; the raw response bytes without the Date line."""
    parts = urlsplit(url)
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    lines = b"".join(chunks).split(b"\r\n")
    return b"\r\n".join(line for line in lines if not line.lower().startswith(b"date:"))


# --- finding a case ----------------------------------------------------------


def test_the_query_code_opens_the_whole_case(gateway: HttpCourtGateway) -> None:
    record = record_of(gateway.lookup(CIVIL, "K7M2Q9"))
    assert record is not None
    assert record.case_number == CIVIL
    assert (record.court, record.cause, record.procedure, record.stage) == (
        "鄂尔多斯市东胜区人民法院",
        "民间借贷纠纷",
        "简易程序",
        "审理中",
    )
    assert (record.filed_on, record.judge, record.clerk) == (date(2026, 9, 15), "王某", "李某")
    assert record.hearings == (
        Hearing(at=datetime(2026, 12, 10, 9, 30, tzinfo=BEIJING), room="第三法庭"),
    )
    assert [e.what for e in record.events] == ["立案", "向被告送达起诉状副本及开庭传票"]


@pytest.mark.parametrize(
    "proof",
    ["k7m2q9", " K7M2Q9 ", "Ｋ７Ｍ２Ｑ９", "011238", "12457X", "12457x"],
    ids=["lower case", "spaces", "full width", "id suffix", "id suffix X", "id suffix x"],
)
def test_every_accepted_proof_spelling_opens_the_case(
    gateway: HttpCourtGateway, proof: str
) -> None:
    record = record_of(gateway.lookup(CIVIL, proof))
    assert record is not None and record.case_number == CIVIL


def test_any_spelling_of_the_case_number_finds_the_case(gateway: HttpCourtGateway) -> None:
    record = record_of(gateway.lookup("(2026)内0602民初010234", "k7m2q9"))
    assert record is not None and record.case_number == CIVIL


def test_payments_keep_amounts_to_the_fen_and_their_status(gateway: HttpCourtGateway) -> None:
    record = record_of(gateway.lookup(ENFORCEMENT, "M6Q3YA"))
    assert record is not None
    assert record.payments == (
        Payment(Decimal("20000.00"), date(2026, 9, 10), "已发放", date(2026, 9, 25)),
        Payment(Decimal("30000.00"), date(2026, 11, 2), "待发放", None),
    )


# --- no existence oracle -------------------------------------------------------


def test_wrong_proof_and_unknown_case_both_give_none(gateway: HttpCourtGateway) -> None:
    assert gateway.lookup(CIVIL, "K7M2Q8") is None
    assert gateway.lookup(UNKNOWN, "K7M2Q9") is None
    assert gateway.lookup("不是案号", "K7M2Q9") is None


def test_wrong_proof_and_unknown_case_answer_byte_for_byte_alike(court_url: str) -> None:
    def answer(case_number: str) -> bytes:
        body = json.dumps({"case_number": case_number, "proof": "ZZZZZZ"}).encode()
        return raw_exchange(court_url, "/v1/cases/verify", body)

    wrong_proof, unknown_case = answer(CIVIL), answer(UNKNOWN)
    assert wrong_proof.startswith(b"HTTP/1.1 404 ")
    assert wrong_proof == unknown_case


def test_too_many_failures_lock_known_and_unknown_numbers_alike(tmp_path: Path) -> None:
    app = create_simulator(None, None, max_failed_verifications=3)
    with run_in_thread(app) as url:
        for case_number in (CIVIL, UNKNOWN):
            statuses = [verify(url, case_number, "ZZZZZZ").status_code for _ in range(4)]
            assert statuses == [404, 404, 404, 429]
        # Locked means locked: even the right proof waits, so the lock reveals nothing.
        locked = verify(url, CIVIL, "K7M2Q9")
        assert locked.status_code == 429
        assert locked.json() == {
            "code": "too_many_attempts",
            "message": "该案号核验失败次数过多，请稍后再试",
        }
        with HttpCourtGateway(url, None) as client, pytest.raises(CourtRefused):
            client.lookup(CIVIL, "K7M2Q9")  # the court's lock, told apart from an outage


# --- tokens ----------------------------------------------------------------


def test_a_token_opens_only_its_own_case(court_url: str) -> None:
    token = token_for(court_url, CIVIL, "K7M2Q9")
    auth = {"Authorization": f"Bearer {token}"}
    mine = HTTP.get(case_path(court_url, "(2026)内0602民初10234"), headers=auth)
    assert mine.status_code == 200 and mine.json()["case_number"] == CIVIL
    for suffix in ("", "/hearings", "/events", "/payments"):
        other = HTTP.get(case_path(court_url, ENFORCEMENT, suffix), headers=auth)
        assert other.status_code == 403
        assert other.json()["code"] == "token_case_mismatch"


@pytest.mark.parametrize("header", [None, "Bearer forged", "Basic abc"])
def test_reading_a_case_needs_a_live_token(court_url: str, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    answer = HTTP.get(case_path(court_url, CIVIL), headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {
        "code": "invalid_token",
        "message": "访问令牌无效或已过期，请重新核验身份",
    }


def test_tokens_expire(court_url: str) -> None:
    with run_in_thread(create_simulator(None, None, token_ttl_seconds=1)) as url:
        answer = verify(url, CIVIL, "K7M2Q9")
        assert answer.json()["expires_in"] == 1
        auth = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        assert HTTP.get(case_path(url, CIVIL), headers=auth).status_code == 200
        time.sleep(1.1)
        assert HTTP.get(case_path(url, CIVIL), headers=auth).status_code == 401


# --- API key ----------------------------------------------------------------


def test_the_api_key_is_required_when_set() -> None:
    with run_in_thread(create_simulator(None, "s3cret-key")) as url:
        for headers in ({}, {"X-API-Key": "wrong"}):
            answer = verify(url, CIVIL, "K7M2Q9", **headers)
            assert answer.status_code == 401
            assert answer.json()["code"] == "invalid_api_key"
            assert "X-API-Key" in answer.json()["message"]
        assert verify(url, CIVIL, "K7M2Q9", **{"X-API-Key": "s3cret-key"}).status_code == 200
        with HttpCourtGateway(url, None) as keyless, pytest.raises(CourtUnavailable, match="401"):
            keyless.lookup(CIVIL, "K7M2Q9")
        with HttpCourtGateway(url, "s3cret-key") as keyed:
            assert keyed.lookup(CIVIL, "K7M2Q9") is not None


# --- privacy -----------------------------------------------------------------


def test_no_answer_contains_names_id_numbers_phones_or_the_query_code(court_url: str) -> None:
    for case in load_fixture(None).cases.values():
        secrets = {case.query_code}
        for party in case.parties:
            secrets |= {party.name, party.id_number or "", party.phone or ""}
            if party.id_number:
                secrets.add(party.id_number[-6:])
        secrets.discard("")
        answer = verify(court_url, case.case_number, case.proofs()[-1])
        bodies = [answer.text]
        auth = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        for suffix in ("", "/hearings", "/events", "/payments"):
            bodies.append(
                HTTP.get(case_path(court_url, case.case_number, suffix), headers=auth).text
            )
        leaked = {s for s in secrets for body in bodies if s in body or s.lower() in body}
        assert not leaked, case.case_number


def test_invalid_requests_are_answered_in_chinese(court_url: str) -> None:
    bad_number = verify(court_url, "2026民初", "K7M2Q9")
    assert bad_number.status_code == 422
    assert bad_number.json()["code"] == "invalid_request"
    assert bad_number.json()["message"].startswith("案号无效")
    missing = HTTP.post(f"{court_url}/v1/cases/verify", json={"case_number": CIVIL})
    assert missing.status_code == 422
    assert missing.json() == {
        "code": "invalid_request",
        "message": "请求格式不正确：缺少字段 proof",
    }
    not_json = HTTP.post(
        f"{court_url}/v1/cases/verify", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert not_json.json()["message"] == "请求格式不正确：请求体不是有效的 JSON"
    nowhere = HTTP.get(f"{court_url}/v2/cases")
    assert nowhere.status_code == 404 and nowhere.json()["message"] == "没有这个接口"


# --- mounted inside another app ------------------------------------------------


def test_the_simulator_works_mounted_under_a_prefix(write_fixture: Callable[..., Path]) -> None:
    path = write_fixture({"cases": [a_case()]})
    parent = FastAPI()
    parent.mount("/court-sim", create_simulator(path, "k"))
    with run_in_thread(parent) as url:
        with HttpCourtGateway(f"{url}/court-sim", "k") as client:
            record = record_of(client.lookup("（2025）内0602民初1234号", "011238"))
        assert record is not None and record.payments[0].status == "待发放"
        spec = HTTP.get(f"{url}/court-sim/openapi.json").json()
        assert "/v1/cases/verify" in spec["paths"]
        assert spec["servers"] == [{"url": "/court-sim"}]
        # A wrong base URL is a configuration fault, not "case not found".
        with HttpCourtGateway(url, "k") as misconfigured, pytest.raises(CourtUnavailable):
            misconfigured.lookup("（2025）内0602民初1234号", "011238")
