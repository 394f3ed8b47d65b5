"""The attempt limits on the shared store: desk logins and wrong case proofs.

Every worker process counts in the same ``attempt_counters`` rows
(bot.storage.attempts), so N workers still allow 5 logins, not 5 x N; keys are
keyed hashes of the username, address, sender and case number.

New web chat sessions: 120 per address in 10 minutes, then none for 10 minutes.
Desk login: 5 failures per username and address in 5 minutes lock that pair for
5 minutes, and 20 failures from one address (any username) in 15 minutes lock
that address for 15 minutes. During a lock the right password is refused too.
The proof rules are in dialogs.attempts; a case lock is written to the audit
trail (action ``proof_case_locked``) and logged, so the desk knows.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from bot.storage import attempts, repo
from bot.storage.attempts import Failure, KeyHasher, Limit
from bot.storage.db import Database
from dialogs import attempts as rules
from dialogs.attempts import ProofFailure, ProofRule

LOGIN = Limit("desk_login", 5, timedelta(minutes=5), timedelta(minutes=5))
LOGIN_ADDRESS = Limit("desk_login_address", 20, timedelta(minutes=15), timedelta(minutes=15))
#: New web chat sessions per address: a page needs one, but a court lobby's Wi-Fi puts many
#: litigants behind one address (120 in 10 minutes is one every 5 s);
#: a script minting sessions (a stored row each) is stopped for a while.
WEBCHAT_SESSIONS = Limit("webchat_session", 120, timedelta(minutes=10), timedelta(minutes=10))
#: How often one process deletes expired counters as it records failures.
PURGE_EVERY = timedelta(minutes=1)
#: The audit action written when a case number is locked for everyone.
CASE_LOCKED = "proof_case_locked"

log = logging.getLogger("bot.attempt_limits")


def _limit(rule: ProofRule) -> Limit:
    return Limit(rule.scope, rule.limit, rule.window, rule.lock)


class Counters:
    """The store's counters with this database's key (read once, on first use)."""

    def __init__(self, database: Database, key: str | None = None) -> None:
        self.database = database
        self._hasher = KeyHasher(key.encode("utf-8")) if key else None
        self._lock = threading.Lock()
        self._purged_at: datetime | None = None

    def hash(self, *parts: str) -> str:
        if self._hasher is None:
            with self._lock:
                if self._hasher is None:
                    with self.database.session() as session:
                        self._hasher = KeyHasher(attempts.database_secret(session))
        return self._hasher(*parts)

    def record(self, keyed: list[tuple[Limit, str]], now: datetime) -> list[Failure]:
        """One failure under each key, in one transaction (plus, once a minute, a purge).

        The purge keeps a flood of made-up keys from filling the table between
        the daily retention purges.
        """
        with self.database.session() as session:
            failures = [attempts.record_failure(session, limit, key, now) for limit, key in keyed]
            if self._purged_at is None or now - self._purged_at >= PURGE_EVERY:
                self._purged_at = now
                attempts.purge_expired(session, now)
        return failures

    def blocked(self, keyed: list[tuple[Limit, str]], now: datetime) -> int | None:
        """The longest wait among these keys' locks, or None when none is locked."""
        with self.database.session(readonly=True) as session:
            waits = [attempts.blocked_for(session, lim.scope, key, now) for lim, key in keyed]
        return max((w for w in waits if w is not None), default=None)


class LoginLimits:
    """Desk logins per (username, address) and per address."""

    def __init__(self, counters: Counters) -> None:
        self.counters = counters

    def _keys(self, username: str, address: str) -> list[tuple[Limit, str]]:
        hashed = self.counters.hash
        return [
            (LOGIN, hashed("login", username.lower(), address)),
            (LOGIN_ADDRESS, hashed(address)),
        ]

    def blocked(self, username: str, address: str, now: datetime) -> int | None:
        return self.counters.blocked(self._keys(username, address), now)

    def failed(self, username: str, address: str, now: datetime) -> None:
        keyed = self._keys(username, address)
        for (limit, _), failure in zip(keyed, self.counters.record(keyed, now), strict=True):
            if failure.locked_now:
                log.warning("desk login locked (%s) for %s", limit.scope, limit.lock)

    def succeeded(self, username: str, address: str) -> None:
        limit, key = self._keys(username, address)[0]
        with self.counters.database.session() as session:
            attempts.reset(session, limit.scope, key)


class SessionLimits:
    """New web chat sessions per client address, counted in the shared store."""

    def __init__(self, counters: Counters) -> None:
        self.counters = counters

    def admit(self, address: str, now: datetime) -> int | None:
        """None when ``address`` may open one more session (and counts it), else the wait."""
        keyed = [(WEBCHAT_SESSIONS, self.counters.hash("webchat_session", address))]
        wait = self.counters.blocked(keyed, now)
        if wait is None:
            self.counters.record(keyed, now)
        return wait


class StoredProofAttempts:
    """dialogs.attempts.ProofAttempts on the shared store."""

    def __init__(self, counters: Counters) -> None:
        self.counters = counters

    def _keys(self, case_number: str, sender: str) -> list[tuple[Limit, str]]:
        return [
            (_limit(rule), self.counters.hash(*rules.keys(case_number, sender)[rule.scope]))
            for rule in rules.RULES
        ]

    def blocked(self, case_number: str, sender: str, now: datetime) -> int | None:
        return self.counters.blocked(self._keys(case_number, sender), now)

    def record_failure(self, case_number: str, sender: str, now: datetime) -> ProofFailure:
        keyed = self._keys(case_number, sender)
        counted = self.counters.record(keyed, now)
        results = {limit.scope: failure for (limit, _), failure in zip(keyed, counted, strict=True)}
        if results[rules.CASE.scope].locked_now:
            minutes = int(rules.CASE.lock.total_seconds() // 60)
            with self.counters.database.session() as session:
                repo.add_audit(
                    session,
                    actor="system",
                    action=CASE_LOCKED,
                    detail={"case_number": case_number, "minutes": minutes},
                )
                log.warning(
                    "a case number was locked for everyone for %d minutes after %d wrong proofs",
                    minutes,
                    rules.CASE.limit,
                )
        own = results[rules.SOURCE_CASE.scope]
        waits = [
            rules.seconds_until(r.locked_until, now)
            for r in results.values()
            if r.locked_until is not None and r.locked_until > now
        ]
        return ProofFailure(
            max(0, rules.SOURCE_CASE.limit - own.failures), max(waits, default=None)
        )

    def record_success(self, case_number: str, sender: str) -> None:
        limit, key = self._keys(case_number, sender)[0]
        with self.counters.database.session() as session:
            attempts.reset(session, limit.scope, key)
