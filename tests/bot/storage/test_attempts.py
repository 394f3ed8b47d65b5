"""Attempt counters in the store: atomic under concurrency, shared by processes, expiring."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.attempt_limits import Counters
from bot.storage import attempts
from bot.storage.attempts import Limit
from bot.storage.db import Database
from bot.storage.models import AttemptCounter

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
LIMIT = Limit("test_scope", 5, timedelta(minutes=10), timedelta(minutes=3))


def _fail(database: Database, key: str, now: datetime = T0) -> attempts.Failure:
    with database.session() as session:
        return attempts.record_failure(session, LIMIT, key, now)


def _blocked(database: Database, key: str, now: datetime) -> int | None:
    with database.session(readonly=True) as session:
        return attempts.blocked_for(session, LIMIT.scope, key, now)


def test_the_failure_that_reaches_the_limit_locks_for_the_lock_time(db: Database) -> None:
    results = [_fail(db, "k") for _ in range(5)]
    assert [r.failures for r in results] == [1, 2, 3, 4, 5]
    assert [r.locked_now for r in results] == [False] * 4 + [True]
    assert results[-1].locked_until == T0 + LIMIT.lock
    assert _blocked(db, "k", T0) == 180
    assert _blocked(db, "k", T0 + timedelta(minutes=2, seconds=59, microseconds=1)) == 1
    assert _blocked(db, "k", T0 + LIMIT.lock) is None
    assert _blocked(db, "other", T0) is None
    # After the lock a failure starts a new count.
    assert _fail(db, "k", T0 + LIMIT.lock).failures == 1


def test_a_window_that_has_passed_starts_over(db: Database) -> None:
    for _ in range(4):
        _fail(db, "k")
    assert _fail(db, "k", T0 + LIMIT.window).failures == 1
    assert _blocked(db, "k", T0 + LIMIT.window) is None


def test_concurrent_failures_from_two_databases_all_count(db: Database, db_url: str) -> None:
    """Two Database objects stand for two worker processes; every failure is counted once."""
    other = Database(db_url)
    big = Limit("test_scope", 40, timedelta(minutes=10), timedelta(minutes=3))
    locked: list[bool] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker(database: Database) -> None:
        try:
            start.wait()
            for _ in range(5):
                with database.session() as session:
                    locked.append(attempts.record_failure(session, big, "shared", T0).locked_now)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(db if i % 2 else other,)) for i in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        other.dispose()
    assert errors == []
    with db.session(readonly=True) as session:
        row = session.get(AttemptCounter, ("test_scope", "shared"))
    assert row is not None and row.failures == 40
    assert locked.count(True) == 1  # exactly one failure locked it: one desk notice


def test_expired_rows_are_purged_and_the_secret_is_kept(db: Database) -> None:
    with db.session() as session:
        secret = attempts.database_secret(session)
    _fail(db, "old", T0)
    _fail(db, "new", T0 + timedelta(minutes=8))
    with db.session() as session:
        assert attempts.purge_expired(session, T0 + timedelta(minutes=10)) == 1
    with db.session(readonly=True) as session:
        kept = set(session.scalars(select(AttemptCounter.key_hash)))
    assert kept == {"new", secret.hex()}


def test_every_process_hashes_with_the_same_database_secret(db: Database, db_url: str) -> None:
    other = Database(db_url)
    try:
        first, second = Counters(db), Counters(other)
        assert first.hash("（2025）内0602民初1234号") == second.hash("（2025）内0602民初1234号")
        assert first.hash("a") != first.hash("b")
        assert "1234" not in first.hash("（2025）内0602民初1234号")
        keyed = Counters(db, "from-the-environment")
        assert keyed.hash("a") != first.hash("a")
    finally:
        other.dispose()
    with db.session(readonly=True) as session:
        secrets = session.scalar(
            select(func.count())
            .select_from(AttemptCounter)
            .where(AttemptCounter.scope == attempts.SECRET_SCOPE)
        )
    assert secrets == 1
