"""Each expectation of a conversation-test turn is checked and worded (no assistant needed)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.convtest.checks import failed_expectations
from bot.convtest.runner import Answer, StoppedClock
from bot.convtest.spec import SpecError, Turn, parse
from dialogs.replies import Button, Reply

ANSWER = Answer(
    sent="离婚起诉状范本",
    replies=(Reply("《离婚纠纷》示范文本", (Button("转人工", "/handoff"),), image="qr.png"),),
    form=None,
    slots={"amount": "50000"},
    handoff=False,
    court_called=False,
)


def test_every_expectation_met() -> None:
    turn = Turn(
        1,
        user="x",
        contains=("离婚",),
        not_contains=("判决",),
        matches=re.compile("^《离婚"),
        buttons=("转人工",),
        form_given=True,
        slots={"amount": 50000},
        handoff=False,
        court_called=False,
        silent=False,
        image=True,
    )
    assert failed_expectations(turn, ANSWER) == ()


def test_every_expectation_unmet_is_named() -> None:
    turn = Turn(
        1,
        user="x",
        contains=("劳动",),
        not_contains=("离婚",),
        matches=re.compile("^xyz"),
        buttons=("主菜单",),
        form="template",
        form_given=True,
        slots={"amount": 1},
        handoff=True,
        court_called=True,
        silent=True,
        image=False,
    )
    unmet = failed_expectations(turn, ANSWER)
    keys = ("bot_contains", "bot_not_contains", "bot_matches", "buttons_include", "form")
    keys += ("slots", "handoff", "court_called", "silent", "image")
    assert len(unmet) == len(keys)
    assert all(key in line for key, line in zip(keys, unmet, strict=True))


def test_now_without_an_offset_is_beijing_time() -> None:
    suite = parse(
        {"conversations": [{"name": "a", "now": "2026-12-04T10:00:00", "turns": [{"user": "x"}]}]},
        Path("f.yml"),
    )
    now = suite.conversations[0].now
    assert now is not None and now.isoformat() == "2026-12-04T10:00:00+08:00"


def test_after_minutes_moves_a_stopped_clock_and_must_not_go_back() -> None:
    turns = [{"user": "x"}, {"user": "y", "after_minutes": 11}, {"user": "z", "after_minutes": 1.5}]
    suite = parse(
        {"conversations": [{"name": "a", "now": "2026-12-04T10:00:00", "turns": turns}]},
        Path("f.yml"),
    )
    conversation = suite.conversations[0]
    clock = StoppedClock(conversation.now)
    seen = []
    for turn in conversation.turns:
        clock.advance(timedelta(minutes=turn.after_minutes))
        seen.append(clock().strftime("%H:%M:%S"))
    assert seen == ["10:00:00", "10:11:00", "10:12:30"]
    for wrong in (-1, "5", True):
        bad = [{"user": "x", "after_minutes": wrong}]
        with pytest.raises(SpecError, match="after_minutes"):
            parse({"conversations": [{"name": "a", "turns": bad}]}, Path("f.yml"))
