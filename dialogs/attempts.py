"""Wrong-proof limits as the dialogs need them: a protocol, the numbers, an in-memory version.

A proof guess is counted three ways, so that neither a new chat session nor a
new channel starts an attacker afresh, while the real party is never locked
out for long:

- per source and case (``sender`` is an opaque hash of channel and sender id):
  5 wrong proofs in 15 minutes lock that case for that source for 15 minutes;
- per source, any case: 20 wrong proofs in an hour lock every look-up of that
  source for an hour (it is guessing, not mistyping);
- per case, every source and channel together: 10 wrong proofs in 10 minutes
  lock the case for 5 minutes only (short, so a stranger's guesses shut the
  real party out briefly; the desk is told, so staff can help meanwhile).

The store behind it (the database, shared by every process) lives in bot/;
``MemoryProofAttempts`` serves the unit tests and anything with one process.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True)
class ProofRule:
    """``limit`` failures within ``window`` lock for ``lock``."""

    scope: str
    limit: int
    window: timedelta
    lock: timedelta


SOURCE_CASE = ProofRule("proof_source_case", 5, timedelta(minutes=15), timedelta(minutes=15))
SOURCE = ProofRule("proof_source", 20, timedelta(hours=1), timedelta(hours=1))
CASE = ProofRule("proof_case", 10, timedelta(minutes=10), timedelta(minutes=5))
RULES = (SOURCE_CASE, SOURCE, CASE)


@dataclass(frozen=True)
class ProofFailure:
    """After a wrong proof: tries ``left`` for this source and case, or the lock it caused."""

    left: int
    locked_seconds: int | None = None


class ProofAttempts(Protocol):
    def blocked(self, case_number: str, sender: str, now: datetime) -> int | None:
        """Seconds until this sender may try this case again; None when it may now."""
        ...

    def record_failure(self, case_number: str, sender: str, now: datetime) -> ProofFailure:
        """Count a wrong proof (or an unknown case: the same thing to the caller)."""
        ...

    def record_success(self, case_number: str, sender: str) -> None:
        """The right proof: this sender's count for this case starts over."""
        ...


def keys(case_number: str, sender: str) -> dict[str, tuple[str, ...]]:
    """What each rule counts."""
    return {
        SOURCE_CASE.scope: (sender, case_number),
        SOURCE.scope: (sender,),
        CASE.scope: (case_number,),
    }


def seconds_until(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))


#: Beyond this many counts the in-memory version drops those that no longer matter.
MEMORY_PRUNE_AT = 10_000


@dataclass
class _Count:
    failures: int
    started: datetime
    locked_until: datetime | None = None

    def over(self, rule: ProofRule, now: datetime) -> bool:
        """Its window has passed and it holds no lock: it counts for nothing any more."""
        window_over = now - self.started >= rule.window
        return window_over and (self.locked_until is None or self.locked_until <= now)


class MemoryProofAttempts:
    """The rules above, kept in this process's memory (tests, the terminal chat)."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, tuple[str, ...]], _Count] = {}
        self._lock = threading.Lock()

    def blocked(self, case_number: str, sender: str, now: datetime) -> int | None:
        with self._lock:
            waits = [
                seconds_until(count.locked_until, now)
                for scope, key in keys(case_number, sender).items()
                if (count := self._counts.get((scope, key))) is not None
                and count.locked_until is not None
                and count.locked_until > now
            ]
        return max(waits, default=None)

    def record_failure(self, case_number: str, sender: str, now: datetime) -> ProofFailure:
        by_scope = keys(case_number, sender)
        locks: list[int] = []
        left = SOURCE_CASE.limit
        with self._lock:
            if len(self._counts) > MEMORY_PRUNE_AT:
                self._prune(now)
            for rule in RULES:
                entry = (rule.scope, by_scope[rule.scope])
                count = self._counts.get(entry)
                over = count is not None and (
                    now - count.started >= rule.window
                    or (count.locked_until is not None and count.locked_until <= now)
                )
                if count is None or over:
                    count = self._counts[entry] = _Count(0, now)
                count.failures += 1
                if count.failures >= rule.limit and count.locked_until is None:
                    count.locked_until = now + rule.lock
                if count.locked_until is not None and count.locked_until > now:
                    locks.append(seconds_until(count.locked_until, now))
                if rule is SOURCE_CASE:
                    left = max(0, rule.limit - count.failures)
        return ProofFailure(left, max(locks, default=None))

    def _prune(self, now: datetime) -> None:
        by_scope = {rule.scope: rule for rule in RULES}
        for entry in [e for e, c in self._counts.items() if c.over(by_scope[e[0]], now)]:
            del self._counts[entry]

    def record_success(self, case_number: str, sender: str) -> None:
        with self._lock:
            self._counts.pop((SOURCE_CASE.scope, (sender, case_number)), None)
