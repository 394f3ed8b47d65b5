"""Requests that used to end in a 500 and a reset connection: a 4xx (or a kept-alive 500) now.

Every check runs on one httpx.Client and asserts the next request travels on the
same connection, so a client's keep-alive pool never sees a reset.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.exc import OperationalError

from bot.desk.accounts import add_staff
from bot.errors import UNEXPECTED
from bot.serving import free_port, serve_in_thread
from bot.storage import repo
from bot.storage.models import CannedAnswer
from tests.bot.desk.test_api_support import PASSWORD, LiveDesk, StaffClient, desk_app, desk_settings

HUGE_IDS = [99999999999999999999, 2**31, 2**63, 0, -1]


@dataclass
class Served:
    desk: LiveDesk
    app: FastAPI


def _add_failing_routes(app: FastAPI) -> None:
    @app.get("/_test/boom")
    def boom() -> dict[str, Any]:
        raise RuntimeError("a bug with 110105194912310021 in its message")

    @app.get("/_test/store-down")
    def store_down() -> dict[str, Any]:
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))


@pytest.fixture
def served(tmp_path: Path, model_path: Path) -> Iterator[Served]:
    port = free_port()
    app = desk_app(desk_settings(tmp_path, model_path, port))
    _add_failing_routes(app)
    with app.state.db.session() as session:
        add_staff(session, "wang", PASSWORD, "admin")
    with serve_in_thread(app, port=port) as url:
        yield Served(LiveDesk(url, app, app.state.db), app)


def _stream(response: httpx.Response) -> object:
    """The connection a response came on (httpcore's network stream)."""
    return response.extensions["network_stream"]


def _same_connection_still_works(client: httpx.Client, before: httpx.Response) -> None:
    after = client.get("/health")
    assert after.status_code == 200, after.text
    assert _stream(after) is _stream(before), "the server dropped the keep-alive connection"


def test_an_unexpected_error_is_a_chinese_500_on_a_kept_connection(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    with httpx.Client(base_url=served.desk.url, timeout=30) as client:
        with caplog.at_level(logging.ERROR, logger="bot.app"):
            response = client.get("/_test/boom")
        assert response.status_code == 500
        assert response.json() == {"message": UNEXPECTED}
        assert response.headers["X-Content-Type-Options"] == "nosniff"  # still wrapped
        _same_connection_still_works(client, response)
    logged = [r for r in caplog.records if r.name == "bot.app" and r.exc_info]
    assert logged and "unhandled error on /_test/boom" in logged[0].getMessage()


def test_the_store_unavailable_answer_is_still_503(served: Served) -> None:
    with httpx.Client(base_url=served.desk.url, timeout=30) as client:
        response = client.get("/_test/store-down")
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        _same_connection_still_works(client, response)


@pytest.mark.parametrize("row_id", HUGE_IDS)
def test_out_of_range_ids_are_a_400_with_a_chinese_message(served: Served, row_id: int) -> None:
    staff = StaffClient(served.desk.url, "wang")
    calls = [
        lambda: staff.get(f"/desk/api/conversations/{row_id}"),
        lambda: staff.post(f"/desk/api/conversations/{row_id}/claim"),
        lambda: staff.post(f"/desk/api/conversations/{row_id}/messages", {"text": "您好"}),
        lambda: staff.post(f"/desk/api/conversations/{row_id}/close"),
        lambda: staff.http.delete(f"/desk/api/canned/{row_id}"),
    ]
    for call in calls:
        response = call()
        assert response.status_code == 400, response.text
        assert response.json()["message"].startswith("请求格式不正确")
        _same_connection_still_works(staff.http, response)


def test_the_largest_real_id_is_only_not_found(served: Served) -> None:
    staff = StaffClient(served.desk.url, "wang")
    assert staff.get(f"/desk/api/conversations/{2**31 - 1}").status_code == 404
    assert staff.http.delete(f"/desk/api/canned/{2**31 - 1}").status_code == 404


def test_a_nul_in_a_staff_reply_is_stripped(served: Served) -> None:
    litigant, conversation_id = served.desk.handed_off("nul-desk")
    staff = StaffClient(served.desk.url, "wang")
    assert staff.action(conversation_id, "claim").status_code == 200
    sent = staff.action(conversation_id, "messages", {"text": "您好\x00，我是导诉员"})
    assert sent.status_code == 200, sent.text
    assert [m["text"] for m in litigant.pull()] == ["您好，我是导诉员"]
    _same_connection_still_works(staff.http, sent)


def test_a_nul_in_a_canned_answer_is_stripped(served: Served) -> None:
    staff = StaffClient(served.desk.url, "wang")
    added = staff.post("/desk/api/canned", {"title": "问\x00候", "text": "您好\x00"})
    assert added.status_code == 201, added.text
    with served.desk.database.session(readonly=True) as session:
        item = session.get(CannedAnswer, added.json()["id"])
        assert item is not None and (item.title, item.text) == ("问候", "您好")


def test_the_store_strips_nul_for_any_channel(served: Served) -> None:
    """Whatever a channel passes on, text and sender ids reach the database without NUL."""
    service = served.app.state.conversations
    replies = service.handle(channel="telegram", sender_id="nul\x00id", text="你好\x00")
    assert replies
    with served.desk.database.session(readonly=True) as session:
        found = repo.find_conversation(session, channel="telegram", sender_id="nulid")
        assert found is not None
        assert repo.transcript(session, conversation_id=found.id)[0].text == "你好"


@pytest.mark.parametrize("after", [2**31 - 1, 2**31, 2**63, 10**30])
def test_pulling_after_a_huge_message_number_is_no_500(served: Served, after: int) -> None:
    """The route may refuse the number (400) or find nothing; the store never overflows."""
    litigant = served.desk.litigant("pull-huge")
    litigant.say("你好")
    with served.desk.database.session(readonly=True) as session:
        found = repo.messages_after(session, channel="rest", sender_id="pull-huge", after=after)
        assert found == []
    with httpx.Client(base_url=served.desk.url, timeout=30) as client:
        params: dict[str, str | int] = {"sender": "pull-huge", "after": after}
        response = client.get("/webhooks/rest/messages", params=params)
        if response.status_code == 200:
            assert response.json() == []
        else:
            assert response.status_code == 400 and "message" in response.json(), response.text
        _same_connection_still_works(client, response)


def test_the_frameworks_own_refusals_are_in_chinese(served: Served) -> None:
    """A body too deep to parse, a wrong method, an unknown page: Chinese, never English."""
    staff = StaffClient(served.desk.url, "wang")
    deep = b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    headers = {"Content-Type": "application/json"}
    too_deep = staff.http.post("/desk/api/canned", content=deep, headers=headers)
    wrong_method = staff.http.put("/health")
    missing = staff.http.get("/no-such-page")
    for response, status in ((too_deep, 400), (wrong_method, 405), (missing, 404)):
        assert response.status_code == status, response.text
        message = response.json()["message"]
        assert message and not message.isascii(), message
    _same_connection_still_works(staff.http, missing)
