"""The project's own conversation tests (tests/conversations/*.yml), one pytest test each."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.convtest.report import as_text
from bot.convtest.runner import Runner, SuiteResult
from bot.convtest.spec import Conversation, Suite, load

SUITES = [load(path) for path in sorted(Path(__file__).parent.glob("*.yml"))]
CASES = [(suite, conversation) for suite in SUITES for conversation in suite.conversations]


@pytest.mark.parametrize(
    ("suite", "conversation"),
    CASES,
    ids=[f"{suite.path.stem}:{conversation.name}" for suite, conversation in CASES],
)
def test_conversation(runner: Runner, suite: Suite, conversation: Conversation) -> None:
    result = runner.run(conversation, suite.business_hours)
    assert result.passed, as_text([SuiteResult(suite.path, [result])])
