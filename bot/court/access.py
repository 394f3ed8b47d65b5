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
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.court.fixture import FixtureCase, normalize_proof

Clock = Callable[[], float]
#: Memory bounds: beyond these the oldest tokens / tracked case numbers are dropped.
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


class AttemptLimiter:
    """At most ``limit`` failed verifications per case number within ``window`` seconds.

    Keyed by the case number as asked, whether or not it exists, so being
    refused says nothing about the case.
    """

    def __init__(self, limit: int, window: float, clock: Clock = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _prune(self, failures: deque[float], now: float) -> deque[float]:
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def blocked(self, key: str) -> bool:
        with self._lock:
            failures = self._failures.get(key)
            return failures is not None and len(self._prune(failures, self._clock())) >= self.limit

    def record_failure(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            failures = self._prune(self._failures.pop(key, deque()), now)
            failures.append(now)
            self._failures[key] = failures  # most recent last, so the oldest go first
            if len(self._failures) > MAX_TRACKED:
                self._failures.popitem(last=False)
