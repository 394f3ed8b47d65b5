"""Wrong-proof limits: a new chat session is no fresh start, and the real party waits briefly."""

from __future__ import annotations

from datetime import timedelta

from dialogs.attempts import CASE as CASE_RULE
from dialogs.attempts import MEMORY_PRUNE_AT, SOURCE, SOURCE_CASE, MemoryProofAttempts
from dialogs.state import DialogState
from nlu.pipeline import NluPipeline
from tests.dialogs.test_engine import CASE, THURSDAY, Chat

OTHER_CASE = "（2025）内0602民初9999号"


def _session(chat: Chat, sender: str) -> None:
    """A new web chat session: a new sender id and an empty dialog state."""
    chat.sender, chat.state = sender, DialogState()


def _guess(chat: Chat, case: str = CASE, proof: str = "000000") -> str:
    """What the case number and the proof got back (a lock may already answer the number)."""
    chat.say("查案件进度")
    asked = chat.text(case)
    return asked if "再试" in asked else chat.text(proof)


def test_new_sessions_do_not_reset_the_count_of_a_case(nlu_pipeline: NluPipeline) -> None:
    chat = Chat(nlu_pipeline)
    answers = []
    for attempt in range(CASE_RULE.limit):
        _session(chat, f"rest\x1fattacker-{attempt}")  # one guess per fresh session
        answers.append(_guess(chat))
    assert all("不匹配" in a for a in answers[:-1])
    assert "5 分钟后再试" in answers[-1]  # the tenth guess locked the case for everyone
    _session(chat, "wechat\x1freal-party")  # another channel, the right proof: still locked
    assert "5 分钟后再试" in _guess(chat, proof="K7M2Q9")
    assert chat.court.calls == CASE_RULE.limit  # locked look-ups never reach the court
    # The lock is short: the real party gets in five minutes later.
    chat.now = THURSDAY + CASE_RULE.lock
    assert "审理中" in _guess(chat, proof="K7M2Q9")


def test_one_source_is_locked_per_case_and_then_everywhere(nlu_pipeline: NluPipeline) -> None:
    chat = Chat(nlu_pipeline)
    for _ in range(SOURCE_CASE.limit - 1):
        assert "不匹配" in _guess(chat)
    assert "15 分钟后再试" in _guess(chat)
    # Other case numbers, each under the per-case limit, add up for this source.
    guessed = SOURCE_CASE.limit
    number = 1000
    while guessed < SOURCE.limit - 1:
        chat.now += timedelta(seconds=1)
        assert "不匹配" in _guess(chat, case=f"（2025）内0602民初{number}号")
        number, guessed = number + 1, guessed + 1
    assert "60 分钟后再试" in _guess(chat, case=f"（2025）内0602民初{number}号")
    assert "60 分钟后再试" in _guess(chat, case=OTHER_CASE)  # a case never tried before
    _session(chat, "rest\x1fsomeone-else")  # not this source: only the tried cases count
    chat.say("查案件进度")
    assert "查询码" in chat.text(OTHER_CASE)


def test_a_right_proof_clears_only_that_source_and_case() -> None:
    attempts = MemoryProofAttempts()
    for _ in range(4):
        assert attempts.record_failure(CASE, "a", THURSDAY).locked_seconds is None
    attempts.record_success(CASE, "a")
    assert attempts.record_failure(CASE, "a", THURSDAY).left == SOURCE_CASE.limit - 1
    assert attempts.blocked(CASE, "a", THURSDAY) is None


def test_the_sender_is_kept_only_as_a_hash(nlu_pipeline: NluPipeline) -> None:
    chat = Chat(nlu_pipeline)
    seen: list[str] = []

    class Spy(MemoryProofAttempts):
        def blocked(self, case_number: str, sender: str, now: object) -> int | None:
            seen.append(sender)
            return None

    chat.engine.attempts = Spy()
    _guess(chat)
    assert seen and all(len(s) == 64 and "litigant" not in s for s in seen)
    assert "litigant" not in str(chat.state.to_dict())


def test_the_memory_version_forgets_only_what_no_longer_counts() -> None:
    attempts = MemoryProofAttempts()
    for _ in range(SOURCE_CASE.limit):
        attempts.record_failure(CASE, "locked", THURSDAY)
    for n in range(MEMORY_PRUNE_AT):
        attempts.record_failure(f"（2025）内0602民初{n}号", f"s{n}", THURSDAY)
    later = THURSDAY + timedelta(minutes=14)
    attempts.record_failure(OTHER_CASE, "late", later)  # over the bound: a prune runs
    assert attempts.blocked(CASE, "locked", later) is not None  # still locked, still kept
    assert len(attempts._counts) > MEMORY_PRUNE_AT  # nothing had expired yet
    much_later = THURSDAY + timedelta(hours=2)
    attempts.record_failure(OTHER_CASE, "late", much_later)
    assert len(attempts._counts) == 3  # only the newest failure's three counts are left
