"""Who may use the Rasa REST channel: a YICHUANG_REST_TOKEN bearer, or loopback without one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.serving import free_port, serve_in_thread
from bot.settings import Settings
from tests.bot.rest_live import live_settings

TOKEN = "rest-token-for-tests-0123456789"
WEBHOOK = "/webhooks/rest/webhook"
PULL = "/webhooks/rest/messages"


def serve(tmp_path: Path, model_path: Path, token: str | None) -> Iterator[str]:
    port = free_port()
    settings = live_settings(tmp_path, model_path, port).model_copy(update={"rest_token": token})
    with serve_in_thread(create_app(settings), port=port) as url:
        yield url


@pytest.fixture
def with_token(tmp_path: Path, model_path: Path) -> Iterator[str]:
    yield from serve(tmp_path, model_path, TOKEN)


@pytest.fixture
def without_token(tmp_path: Path, model_path: Path) -> Iterator[str]:
    yield from serve(tmp_path, model_path, None)


def call(url: str, headers: dict[str, str]) -> tuple[httpx.Response, httpx.Response]:
    sent = httpx.post(
        url + WEBHOOK, json={"sender": "s1", "message": "你好"}, headers=headers, timeout=30
    )
    pulled = httpx.get(url + PULL, params={"sender": "s1", "after": 0}, headers=headers)
    return sent, pulled


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": TOKEN},
        {"Authorization": "Basic " + TOKEN},
    ],
)
def test_with_a_token_a_request_without_it_is_refused(
    with_token: str, headers: dict[str, str]
) -> None:
    for response in call(with_token, headers):
        assert response.status_code == 401
        assert "令牌" in response.json()["message"]


def test_with_a_token_the_right_bearer_is_answered_even_through_a_proxy(with_token: str) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "X-Forwarded-For": "203.0.113.9"}
    sent, pulled = call(with_token, headers)
    assert sent.status_code == 200 and sent.json()[0]["recipient_id"] == "s1"
    assert pulled.status_code == 200 and pulled.json()[0]["seq"] >= 1


def test_without_a_token_a_loopback_client_is_answered(without_token: str) -> None:
    sent, pulled = call(without_token, {})
    assert sent.status_code == 200 and pulled.status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        ("X-Forwarded-For", "203.0.113.9"),
        ("X-Real-IP", "203.0.113.9"),
        ("Forwarded", "for=1.2.3.4"),
    ],
)
def test_without_a_token_a_proxied_request_is_forbidden(
    without_token: str, header: tuple[str, str]
) -> None:
    for response in call(without_token, dict([header])):
        assert response.status_code == 403
        assert "本机" in response.json()["message"]


@pytest.mark.parametrize(
    ("client", "status"), [("10.0.0.5", 403), ("::1", 200), ("127.8.0.1", 200), ("testclient", 403)]
)
def test_without_a_token_only_a_loopback_address_is_answered(
    settings: Settings, client: str, status: int
) -> None:
    app = create_app(settings, preload_nlu=False, channels=False)
    with TestClient(app, client=(client, 50000)) as test:
        response = test.get(PULL, params={"sender": "s1"})
    assert response.status_code == status, response.text


@pytest.mark.parametrize("after", ["99999999999999999999", str(2**31)])
def test_an_out_of_range_after_is_a_bad_request(without_token: str, after: str) -> None:
    response = httpx.get(without_token + PULL, params={"sender": "s1", "after": after})
    assert response.status_code == 400
    assert response.json()["message"].startswith("请求格式不正确")


@pytest.mark.parametrize(
    "body",
    [
        {"sender": "s\x001", "message": "你好"},
        {"sender": "s1", "message": "你\x00好"},
        {"sender": "s1", "message": "你好", "metadata": {"message_id": "abcdefgh\x00"}},
    ],
)
def test_a_nul_byte_is_a_bad_request_not_a_crash(
    without_token: str, body: dict[str, object]
) -> None:
    response = httpx.post(without_token + WEBHOOK, json=body, timeout=30)
    assert response.status_code == 400, response.text
    pulled = httpx.get(without_token + PULL, params={"sender": "s\x001"})
    assert pulled.status_code == 400
    sent, _ = call(without_token, {})
    assert sent.status_code == 200
