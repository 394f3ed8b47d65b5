"""Who may see a case in the simulator: proof checks, case-bound tokens, attempt limits.

The three rules that keep the API from being an existence oracle live here:
the proof check does the same work for an unknown case as for a known one,
tokens open exactly one case, and the failure limit counts unknown case
numbers exactly like known ones.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.court.fixture import FixtureCase, normalize_proof

Clock = Callable[[], float]
#: Memory bounds: the oldest tokens are dropped beyond MAX_TOKENS; at MAX_TRACKED case
#: numbers, new ones are refused until tracked ones expire (AttemptLimiter).
MAX_TOKENS = 10_000
MAX_TRACKED = 10_000


class ProofChecker:
    """Compares a proof against a case's accepted proofs in the same time, found or not.

    Every case's proofs are kept as keyed digests, padded with random decoys to
    one common width; an unknown case number is checked against decoys only.
    So both paths hash once and run the same number of constant-time compares.
    """

    def __init__(self, cases: Mapping[str, FixtureCase]) -> None:
        self._key = secrets.token_bytes(32)
        self._width = max((len(case.proofs()) for case in cases.values()), default=1)
        self._table = {
            number: self._padded([self._digest(p) for p in case.proofs()])
            for number, case in cases.items()
        }
        self._decoys = self._padded([])

    def _digest(self, proof: str) -> bytes:
        return hmac.new(self._key, proof.encode("utf-8"), hashlib.sha256).digest()

    def _padded(self, digests: list[bytes]) -> tuple[bytes, ...]:
        decoys = [secrets.token_bytes(32) for _ in range(self._width - len(digests))]
        return tuple(digests + decoys)

    def check(self, case_number: str | None, proof: str) -> bool:
        """True only when the case exists and ``proof`` is one of its proofs."""
        candidate = self._digest(normalize_proof(proof))
        table = self._decoys
        if case_number is not None:
            table = self._table.get(case_number, self._decoys)
        matched = False
        for digest in table:
            matched |= hmac.compare_digest(digest, candidate)
        return matched and table is not self._decoys


@dataclass(frozen=True)
class Grant:
    case_number: str
    expires_at: float


class TokenStore:
    """Short-lived bearer tokens, each bound to the one case it was issued for."""

    def __init__(self, ttl_seconds: int, clock: Clock = time.monotonic) -> None:
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._grants: OrderedDict[str, Grant] = OrderedDict()
        self._lock = threading.Lock()

    def issue(self, case_number: str) -> str:
        token = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            while self._grants:
                oldest = next(iter(self._grants.values()))
                if oldest.expires_at > now and len(self._grants) < MAX_TOKENS:
                    break
                self._grants.popitem(last=False)
            self._grants[token] = Grant(case_number, now + self.ttl_seconds)
        return token

    def case_for(self, token: str) -> str | None:
        """The case a live token opens, or None for an unknown or expired token."""
        with self._lock:
            grant = self._grants.get(token)
        if grant is None or grant.expires_at <= self._clock():
            return None
        return grant.case_number


@dataclass
class _Attempts:
    failures: int
    started: float
    last: float
    locked_until: float | None = None


class AttemptLimiter:
    """``limit`` failed verifications per case number within ``window`` seconds lock it
    for ``lock`` seconds (the window by default); then the count starts over.

    Keyed by the case number as asked, whether or not it exists, so being
    refused says nothing about the case. Memory is bounded by ``max_tracked``
    without ever forgetting a case that still counts: only entries whose window
    and lock have both passed are dropped, and while the table is full of live
    entries a case number it does not know yet is refused (429), not let through.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        clock: Clock = time.monotonic,
        *,
        lock: float | None = None,
        max_tracked: int = MAX_TRACKED,
    ) -> None:
        self.limit = limit
        self.window = window
        self.lock = window if lock is None else lock
        self.max_tracked = max_tracked
        self._clock = clock
        # Least recently failed first: the first entry is always the first to expire.
        self._entries: OrderedDict[str, _Attempts] = OrderedDict()
        self._mutex = threading.Lock()

    def _live(self, entry: _Attempts, now: float) -> bool:
        return now - entry.last < max(self.window, self.lock)

    def _make_room(self, now: float) -> bool:
        """Drop expired entries; True when there is room for one more."""
        while self._entries:
            first = next(iter(self._entries.values()))
            if self._live(first, now):
                break
            self._entries.popitem(last=False)
        return len(self._entries) < self.max_tracked

    def blocked(self, key: str) -> bool:
        now = self._clock()
        with self._mutex:
            entry = self._entries.get(key)
            if entry is None:
                return not self._make_room(now)
            return entry.locked_until is not None and entry.locked_until > now

    def record_failure(self, key: str) -> None:
        now = self._clock()
        with self._mutex:
            entry = self._entries.pop(key, None)
            if entry is not None and (
                now - entry.started >= self.window
                or (entry.locked_until is not None and entry.locked_until <= now)
            ):
                entry = None  # its window or its lock is over: a fresh count
            if entry is None:
                if not self._make_room(now):
                    return  # full of live entries: blocked() refuses this key meanwhile
                entry = _Attempts(0, now, now)
            entry.failures += 1
            entry.last = now
            if entry.failures >= self.limit and entry.locked_until is None:
                entry.locked_until = now + self.lock
            self._entries[key] = entry
