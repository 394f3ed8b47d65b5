"""Slow answers: ``success`` within the deadline, then exactly one 客服消息; the API's limits."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot import delivery
from bot.channels.wechat import PASSIVE_SECONDS, Outbox, WeChatApi, passive_budget
from bot.serving import serve_in_thread
from bot.settings import Settings
from bot.storage import repo
from bot.storage.db import Database
from bot.storage.migrate import upgrade
from bot.storage.models import utcnow
from tests.bot.channels.wechat_live import Live, live_wechat
from tests.fakes.wechat_server import FakeWeChat, msg_id

CASE = json.loads((Path(__file__).parents[3] / "bot/court/demo_cases.json").read_text("utf-8"))[
    "cases"
][0]


DAY = timedelta(days=1)


def wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def live(tmp_path: Path, model_path: Path) -> Iterator[Live]:
    with live_wechat(tmp_path, model_path, passive_seconds=0.5) as running:
        yield running


@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_slow_court_gives_success_then_one_customer_service_message(live: Live, mode: str) -> None:
    user = "u-slow-" + mode
    live.say(user, "查案件进度", msg_id(mode + "a"), mode=mode)
    live.say(user, CASE["case_number"], msg_id(mode + "b"), mode=mode)
    live.fault(delay=1.5, times=1)
    first = live.say(user, CASE["query_code"], msg_id(mode + "c"), mode=mode)
    assert first == ""  # "success": WeChat stops waiting and does not retry
    retry = live.say(user, CASE["query_code"], msg_id(mode + "c"), mode=mode)
    assert retry == ""  # a redelivery while the court answers: no second answer
    wait_for(lambda: len(live.wechat.sent_to(user)) >= 1)
    time.sleep(1.0)  # anything extra would have arrived by now
    sent = live.wechat.sent_to(user)
    assert len(sent) == 1
    assert CASE["stage"] in sent[0] and CASE["court"] in sent[0]


def test_a_fast_answer_sends_no_customer_service_message(tmp_path: Path, model_path: Path) -> None:
    # The full passive window rather than the 0.5 s above: whether an answer counts as
    # fast must not depend on how busy the test machine is (CI shares two cores).
    with live_wechat(tmp_path, model_path, passive_seconds=PASSIVE_SECONDS) as live:
        assert "哪一类" in live.say("u-fast", "诉讼费怎么算", msg_id("f"))
        time.sleep(0.5)
        assert live.wechat.sent_to("u-fast") == []


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[tuple[FakeWeChat, Settings, Database]]:
    fake = FakeWeChat(token="t", app_id="wxapp", app_secret="s3cret")
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    upgrade(url)
    database = Database(url)
    with serve_in_thread(fake.app()) as base:
        settings = Settings(
            wechat_token="t",
            wechat_app_id="wxapp",
            wechat_app_secret="s3cret",
            wechat_api_base_url=base + "/",
            _env_file=None,  # type: ignore[call-arg]
        )
        yield fake, settings, database
    database.dispose()


def staff_message(database: Database, openid: str, text: str) -> int:
    """A stored staff reply to ``openid``: a delivery of its own."""
    with database.session() as session:
        conversation = repo.get_or_create_conversation(session, channel="wechat", sender_id=openid)
        return repo.add_outbound(
            session, conversation=conversation, text=text, payload=None, sender_kind="staff"
        ).id


def test_a_delivery_is_sent_once_and_expired_token_is_renewed(
    platform: tuple[FakeWeChat, Settings, Database],
) -> None:
    fake, settings, database = platform
    outbox = Outbox(WeChatApi(settings, time.time), database, time.time)
    fake.open_window("u1")
    outbox.user_wrote("u1")
    first = staff_message(database, "u1", "第一条")
    outbox.enqueue(first)
    outbox.enqueue(first)  # queued twice (a retry, the recovery pass): sent once
    wait_for(lambda: len(fake.sent_to("u1")) == 1)
    fake.expire_tokens()
    outbox.enqueue(staff_message(database, "u1", "第二条"))
    wait_for(lambda: len(fake.sent_to("u1")) == 2)
    outbox.enqueue(first)  # after a restart, say: recorded as delivered, never resent
    outbox.drain()
    outbox.stop()
    assert fake.sent_to("u1") == ["第一条", "第二条"]
    assert fake.token_calls == 2  # cached, then fetched again after 40001


def test_window_limits_are_respected(platform: tuple[FakeWeChat, Settings, Database]) -> None:
    fake, settings, database = platform
    outbox = Outbox(WeChatApi(settings, time.time), database, time.time)
    outbox.retry_delays = ()
    fake.open_window("u2")
    outbox.user_wrote("u2")
    for i in range(6):  # the 6th exceeds 5 per user message: not even attempted
        outbox.enqueue(staff_message(database, "u2", f"消息{i}"))
    outbox.user_wrote("u2")  # our window reopens, but WeChat's count did not reset
    outbox.enqueue(staff_message(database, "u2", "第七条"))  # 45047: given up, not retried
    outbox.enqueue(staff_message(database, "u-never-wrote", "你好"))  # no window: not sent
    outbox.drain()
    outbox.stop()
    assert fake.sent_to("u2") == [f"消息{i}" for i in range(5)]
    assert fake.sent_to("u-never-wrote") == []
    with database.session(readonly=True) as session:  # given up is final: nothing stays owed
        assert delivery.owed(session, older_than=utcnow(), newer_than=utcnow() - DAY) == []


@pytest.mark.parametrize(
    ("options", "seconds"),
    [
        ({"wechat_app_id": "wxapp", "wechat_app_secret": "s3cret"}, 0.9),  # 客服消息 possible
        ({}, 4.0),  # no 客服消息 (an app id without its secret is refused by Settings)
        ({"wechat_app_id": "wxapp", "wechat_app_secret": "s", "wechat_passive_seconds": 2.5}, 2.5),
    ],
)
def test_the_passive_wait_is_short_only_when_a_slow_answer_can_follow(
    options: dict[str, object], seconds: float
) -> None:
    settings = Settings(wechat_token="t", _env_file=None, **options)  # type: ignore[arg-type]
    assert passive_budget(settings) == seconds


def test_a_passive_wait_beyond_wechats_five_seconds_is_refused() -> None:
    with pytest.raises(ValueError, match="wechat_passive_seconds"):
        Settings(wechat_passive_seconds=6, _env_file=None)  # type: ignore[call-arg]
