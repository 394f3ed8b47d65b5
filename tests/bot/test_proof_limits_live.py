"""Wrong proofs over real HTTP: counted per case across every sender, and the desk is told."""

from __future__ import annotations

import json
import re

from dialogs.attempts import CASE as CASE_RULE
from dialogs.attempts import SOURCE_CASE
from tests.bot.rest_live import CASE, Live
from tests.databases import stored_rows


def _guess(live: Live, sender: str, proof: str = "ZZZZZZ") -> str:
    live.say("查案件进度", sender)
    asked = live.text(CASE["case_number"], sender)
    return asked if "再试" in asked else live.text(proof, sender)


def test_new_senders_share_one_count_per_case_and_the_desk_is_told(live: Live) -> None:
    answers = [_guess(live, f"web-session-{i}") for i in range(CASE_RULE.limit)]
    assert all("不匹配" in a for a in answers[:-1])
    assert "5 分钟后再试" in answers[-1]
    # The real party, in a session of its own, with the right proof: a short wait.
    assert "5 分钟后再试" in _guess(live, "real-party", CASE["query_code"])
    audit = stored_rows(
        live.settings.database_url,
        "SELECT actor, detail FROM audit_events WHERE action = 'proof_case_locked'",
    )
    assert len(audit) == 1 and audit[0][0] == "system"
    detail = audit[0][1] if isinstance(audit[0][1], dict) else json.loads(str(audit[0][1]))
    assert detail == {"case_number": CASE["case_number"], "minutes": 5}
    counters = stored_rows(live.settings.database_url, "SELECT key_hash FROM attempt_counters")
    # keyed digests only, never the case number ("0602" may occur in a hex digest by chance)
    assert counters and all(re.fullmatch(r"[0-9a-f]{64}", str(row[0])) for row in counters)
    assert not any(CASE["case_number"] in str(row[0]) for row in counters)


def test_one_sender_is_still_locked_after_five_wrong_proofs(live: Live) -> None:
    for _ in range(SOURCE_CASE.limit - 1):
        assert "不匹配" in _guess(live, "one")
    assert "15 分钟后再试" in _guess(live, "one")
    assert "15 分钟后再试" in _guess(live, "one", CASE["query_code"])
    assert CASE["stage"] in _guess(live, "two", CASE["query_code"])  # under the case limit
