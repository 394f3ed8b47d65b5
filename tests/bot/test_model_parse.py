"""POST /model/parse speaks Rasa's HTTP contract over a real ASGI app."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings


def test_parse_returns_rasa_shape(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        response = client.post("/model/parse", json={"text": "标的5万诉讼费多少"})
    assert response.status_code == 200
    body = response.json()
    assert body["text"] == "标的5万诉讼费多少"
    assert body["intent"]["name"] == "fee_calculation"
    assert len(body["intent_ranking"]) == 10
    assert {"entity": "amount", "value": 50000, "start": 2, "end": 4}.items() <= (
        body["entities"][0].items()
    )


def test_bad_bodies_get_a_chinese_400(settings: Settings) -> None:
    client = TestClient(create_app(settings, preload_nlu=False))
    for payload in ({}, {"text": 5}, {"txt": "你好"}):
        response = client.post("/model/parse", json=payload)
        assert response.status_code == 400
        assert "请求格式不正确" in response.json()["message"]
    response = client.post(
        "/model/parse", content=b"\xff\xfe not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
