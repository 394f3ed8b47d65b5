"""The simulator's per-case attempt limit: bounded memory that never forgets a locked case."""

from __future__ import annotations

from bot.court.access import MAX_TRACKED, AttemptLimiter

LOCKED = "（2025）内0602民初1234号"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def _locked_limiter(clock: Clock) -> AttemptLimiter:
    limiter = AttemptLimiter(10, 600.0, clock, lock=300.0)
    for _ in range(10):
        assert not limiter.blocked(LOCKED)
        limiter.record_failure(LOCKED)
    assert limiter.blocked(LOCKED)
    return limiter


def test_ten_thousand_other_case_numbers_do_not_unlock_a_locked_case() -> None:
    clock = Clock()
    limiter = _locked_limiter(clock)
    for n in range(MAX_TRACKED + 1):
        clock.now += 0.001
        number = f"（2025）内0602民初{100_000 + n}号"
        if not limiter.blocked(number):
            limiter.record_failure(number)
    assert limiter.blocked(LOCKED)
    assert len(limiter._entries) <= MAX_TRACKED  # memory stays bounded
    # While the table is full of live entries, a case number it does not know is refused.
    assert limiter.blocked("（2025）内0602民初999999号")


def test_the_lock_is_short_and_expired_entries_make_room() -> None:
    clock = Clock()
    limiter = _locked_limiter(clock)
    clock.now += 299.0
    assert limiter.blocked(LOCKED)
    clock.now += 1.0
    assert not limiter.blocked(LOCKED)  # five minutes, not the whole window
    limiter.record_failure(LOCKED)
    assert not limiter.blocked(LOCKED)  # the count started over
    small = AttemptLimiter(3, 600.0, clock, lock=300.0, max_tracked=2)
    small.record_failure("a")
    small.record_failure("b")
    assert small.blocked("c")  # full of live entries
    clock.now += 600.0
    assert not small.blocked("c")  # a and b expired and were dropped
    small.record_failure("c")
    assert list(small._entries) == ["c"]
