"""Whole conversations over real HTTP: REST webhook → NLU → dialogs → court simulator over HTTP.

The app is served by uvicorn on a loopback port; the built-in court simulator is
mounted in it and reached through real HTTP, as the real court API would be.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from bot.app import create_app
from bot.serving import free_port, serve_in_thread
from tests.bot.rest_live import CASE, DEMO, Live, live_settings
from tests.databases import stored_rows


def test_fee_question_answered_with_halved_figure(live: Live) -> None:
    answer = live.text("俺借给朋友5万块他不还 起诉要交多少诉讼费")
    assert "1,050元" in answer and "525元" in answer


def test_button_payload_acts_as_the_button(live: Live) -> None:
    menu = live.say("你好")
    fee_button = next(b for m in menu for b in m.get("buttons", []) if b["title"] == "算诉讼费")
    assert "哪一类" in live.text(fee_button["payload"])


def test_case_status_with_proof_over_the_real_simulator(live: Live) -> None:
    live.say("查案件进度")
    assert "查询码" in live.text(CASE["case_number"])
    answer = live.text(CASE["query_code"].lower())
    assert CASE["stage"] in answer and CASE["court"] in answer
    assert CASE["parties"][0]["name"] not in answer


def test_same_answers_for_unknown_case_and_wrong_proof(live: Live) -> None:
    unknown = "（2026）内0602民初9999号"
    assert all(c["case_number"] != unknown for c in DEMO["cases"])
    answers = []
    for sender, number in (("a", CASE["case_number"]), ("b", unknown)):
        live.say("查案件进度", sender)
        answers.append((live.text(number, sender), live.text("ZZZZZZ", sender)))
    assert answers[0] == answers[1]


def test_cancel_in_the_middle_of_the_form(live: Live) -> None:
    live.say("查案件进度")
    live.say(CASE["case_number"])
    assert "已取消" in live.text("算了不查了")
    assert "哪一类" in live.text("诉讼费怎么算")  # a fresh start, not the old form


def test_court_api_down_gives_busy_and_a_human(live: Live) -> None:
    live.fault(status=500)
    live.say("查案件进度")
    live.say(CASE["case_number"])
    replies = live.say(CASE["query_code"])
    assert "系统繁忙" in replies[0]["text"]
    assert any(b["title"] == "转人工" for b in replies[0]["buttons"])


def test_court_api_slow_gives_busy(live: Live) -> None:
    live.fault(delay=4)
    live.say("查案件进度")
    live.say(CASE["case_number"])
    assert "系统繁忙" in live.text(CASE["query_code"])


def test_fallback_twice_hands_over_and_the_bot_goes_quiet(live: Live) -> None:
    first = live.say("判了不服")  # 上诉 or 申请执行: both plausible
    assert "还是" in first[0]["text"]
    handed = live.text("都不是")
    assert "导诉员" in handed
    assert live.say("你好") == []  # a person owns the chat now


def test_state_survives_a_server_restart(tmp_path: Path, model_path: Path) -> None:
    port = free_port()
    settings = live_settings(tmp_path, model_path, port)
    with serve_in_thread(create_app(settings), port=port) as url:
        before = Live(url, settings)
        before.say("查案件进度")
        assert "查询码" in before.text(CASE["case_number"])
    with serve_in_thread(create_app(settings), port=port) as url:
        after = Live(url, settings)
        assert CASE["stage"] in after.text(CASE["query_code"])


def test_pull_endpoint_returns_later_messages_of_that_sender_only(live: Live) -> None:
    live.say("你好", "alice")
    live.say("你好", "bob")
    pulled = httpx.get(f"{live.url}/webhooks/rest/messages", params={"sender": "alice"}).json()
    assert pulled and all(m["recipient_id"] == "alice" for m in pulled)
    last = pulled[-1]["seq"]
    assert (
        httpx.get(
            f"{live.url}/webhooks/rest/messages", params={"sender": "alice", "after": last}
        ).json()
        == []
    )


def test_bad_webhook_bodies_get_chinese_400(live: Live) -> None:
    for body in ({}, {"sender": "", "message": "hi"}, {"sender": "x", "message": "a" * 6000}):
        response = httpx.post(f"{live.url}/webhooks/rest/webhook", json=body)
        assert response.status_code == 400
        assert "请求格式不正确" in response.json()["message"]


def test_proofs_are_never_stored(live: Live) -> None:
    live.say("查案件进度")
    live.say(CASE["case_number"])
    live.say(CASE["query_code"])
    rows = stored_rows(
        live.settings.database_url,
        "select coalesce(text, '') || coalesce(cast(parse as text), '')"
        " || coalesce(pending_text, '') from messages",
    )
    stored = " ".join(r[0] for r in rows)
    assert CASE["query_code"] not in stored


def test_deadline_flow_over_http(live: Live) -> None:
    live.say('/appeal{"flow":"deadline"}')
    asked = live.say('/appeal{"deadline_kind":"appeal_civil_ruling"}')
    assert "收到裁定书" in asked[0]["text"]
    # 10 days from 2026-02-10 → 02-20, inside the Spring Festival holiday (02-15…02-23)
    assert "2026-02-24" in live.text("2026年2月10日")


def test_template_flow_sends_a_qr_image_that_decodes_to_the_link(live: Live) -> None:
    from io import BytesIO

    import zxingcpp
    from PIL import Image

    replies = live.say("离婚起诉状的示范文本哪里有")
    image = replies[0]["image"]
    png = httpx.get(image, timeout=10)
    assert png.headers["content-type"] == "image/png"
    (decoded,) = zxingcpp.read_barcodes(Image.open(BytesIO(png.content)))
    assert decoded.text.endswith("/templates/1")
    page = httpx.get(decoded.text, timeout=10)
    assert page.status_code == 200 and "离婚纠纷" in page.text


def test_case_money_flow_over_http(live: Live) -> None:
    case = next(c for c in DEMO["cases"] if c.get("payments"))
    live.say('/case_payment{"flow":"check"}')
    live.say(case["case_number"])
    answer = live.text(case["query_code"])
    assert "案款" in answer and case["payments"][0]["status"] in answer


def test_lockout_after_five_wrong_proofs_over_http(live: Live) -> None:
    live.say("查案件进度")
    live.say(CASE["case_number"])
    for _ in range(4):
        assert "不匹配" in live.text("ZZZZZZ")
    assert "15 分钟" in live.text("ZZZZZZ")
    live.say("查案件进度")
    assert "15 分钟" in live.text(CASE["case_number"])


def test_legal_opinion_refused_over_http(live: Live) -> None:
    assert "不能评价案件输赢" in live.text("你说我这个官司能赢吗")
