"""Proof once per session over real HTTP: a lookup returns the court's token as a grant,
and the case is read again with it until the court refuses it (then None: prove again)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.court.client import HttpCourtGateway
from bot.court.simulator import create_simulator
from dialogs.court import CourtUnavailable
from nlu.pipeline import NluPipeline
from tests.bot.court.builders import CIVIL, ENFORCEMENT
from tests.bot.court.server import run_in_thread
from tests.dialogs.test_engine import THURSDAY, Chat

#: Seconds a token of the short-lived simulator lives.
SHORT_TTL = 1


class Outcomes:
    """A court observer that keeps the lookup outcomes it is told."""

    def __init__(self) -> None:
        self.lookups: list[str] = []

    def court_request(self, endpoint: str, seconds: float) -> None:
        pass

    def court_error(self, kind: str) -> None:
        pass

    def court_lookup(self, outcome: str) -> None:
        self.lookups.append(outcome)


@pytest.fixture
def short_lived() -> Iterator[str]:
    """The demo simulator with tokens that expire after SHORT_TTL seconds."""
    with run_in_thread(create_simulator(None, None, token_ttl_seconds=SHORT_TTL)) as url:
        yield url


def test_a_lookup_returns_a_grant_for_the_canonical_case_number(gateway: HttpCourtGateway) -> None:
    found = gateway.lookup("(2026)内0602民初010234", "k7m2q9")
    assert found is not None
    assert found.grant.case_number == CIVIL
    assert found.grant.expires_in == 600  # the simulator's default lifetime
    assert found.grant.token not in repr(found)  # never in a log line by accident


def test_the_grant_reads_the_same_case_again(gateway: HttpCourtGateway) -> None:
    found = gateway.lookup(ENFORCEMENT, "M6Q3YA")
    assert found is not None
    assert gateway.read(found.grant) == found.record


def test_a_grant_for_another_case_is_refused_with_none(gateway: HttpCourtGateway) -> None:
    found = gateway.lookup(CIVIL, "K7M2Q9")
    assert found is not None
    assert gateway.read(replace(found.grant, case_number=ENFORCEMENT)) is None  # 403
    assert gateway.read(replace(found.grant, token="made-up")) is None  # 401


def test_an_expired_token_reads_nothing(short_lived: str) -> None:
    outcomes = Outcomes()
    with HttpCourtGateway(short_lived, None, observer=outcomes) as client:
        found = client.lookup(CIVIL, "K7M2Q9")
        assert found is not None and found.grant.expires_in == SHORT_TTL
        assert client.read(found.grant) is not None
        time.sleep(SHORT_TTL + 0.1)
        assert client.read(found.grant) is None
    assert outcomes.lookups == ["found", "found", "expired"]


def test_a_court_that_is_gone_raises_on_a_read(gateway: HttpCourtGateway) -> None:
    found = gateway.lookup(CIVIL, "K7M2Q9")
    assert found is not None
    with (
        HttpCourtGateway("http://127.0.0.1:9", None, timeout=0.5) as gone,
        pytest.raises(CourtUnavailable),
    ):
        gone.read(found.grant)


def test_the_dialog_asks_the_proof_again_when_the_court_expired_the_token(
    short_lived: str, nlu_pipeline: NluPipeline
) -> None:
    """The turn's clock says the grant still lives; the court says no: prove again."""
    chat = Chat(nlu_pipeline)
    with HttpCourtGateway(short_lived, None) as client:
        chat.engine.court = client
        chat.say("查案件进度")
        chat.say(CIVIL)
        assert "审理中" in chat.text("K7M2Q9")
        assert "王某" in chat.text("法官是谁")  # read with the grant, no proof asked
        time.sleep(SHORT_TTL + 0.1)
        assert chat.now == THURSDAY  # the dialog's clock did not move
        asked = chat.text("法官是谁")
        assert "继续查询案号" in asked and "查询码" in asked and "王某" not in asked
        assert len(chat.engine.grants) == 0  # the refused grant is dropped
        assert "承办法官：王某" in chat.text("K7M2Q9")
