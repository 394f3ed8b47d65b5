"""The court's access grants in memory: kept for expires_in (at most 15 min), bounded,
forgettable."""

from __future__ import annotations

import threading
from datetime import timedelta

from dialogs.court import AccessGrant
from dialogs.grants import MAX_KEEP, CaseGrants
from tests.dialogs.test_engine import CASE, THURSDAY

OTHER = "（2026）内0602执1502号"


def _grant(case: str = CASE, expires_in: int = 600, token: str = "t-1") -> AccessGrant:
    return AccessGrant(case, token, expires_in)


def test_a_grant_lives_for_the_courts_expires_in_by_the_turns_clock() -> None:
    grants = CaseGrants()
    grants.keep("source-a", _grant(expires_in=600), THURSDAY)
    assert grants.live("source-a", CASE, THURSDAY + timedelta(seconds=599)) == _grant()
    assert grants.live("source-a", CASE, THURSDAY + timedelta(seconds=600)) is None
    assert len(grants) == 0  # an expired grant is dropped when it is found expired


def test_a_long_court_lifetime_is_capped_at_fifteen_minutes() -> None:
    grants = CaseGrants()
    grants.keep("source-a", _grant(expires_in=3600), THURSDAY)
    assert grants.live("source-a", CASE, THURSDAY + MAX_KEEP - timedelta(seconds=1)) is not None
    assert grants.live("source-a", CASE, THURSDAY + MAX_KEEP) is None


def test_a_grant_without_lifetime_is_not_kept() -> None:
    grants = CaseGrants()
    grants.keep("source-a", _grant(expires_in=0), THURSDAY)
    assert len(grants) == 0


def test_a_grant_opens_only_its_own_source_and_case() -> None:
    grants = CaseGrants()
    grants.keep("source-a", _grant(), THURSDAY)
    assert grants.live("source-b", CASE, THURSDAY) is None
    assert grants.live("source-a", OTHER, THURSDAY) is None


def test_the_store_is_bounded_and_drops_the_oldest() -> None:
    grants = CaseGrants(max_grants=3)
    for n in range(4):
        grants.keep(f"source-{n}", _grant(token=f"t-{n}"), THURSDAY)
    assert len(grants) == 3
    assert grants.live("source-0", CASE, THURSDAY) is None
    assert all(grants.live(f"source-{n}", CASE, THURSDAY) for n in (1, 2, 3))


def test_a_new_proof_replaces_the_grant_and_counts_as_newest() -> None:
    grants = CaseGrants(max_grants=2)
    grants.keep("source-a", _grant(token="old"), THURSDAY)
    grants.keep("source-b", _grant(), THURSDAY)
    grants.keep("source-a", _grant(token="new"), THURSDAY)
    grants.keep("source-c", _grant(), THURSDAY)  # drops source-b, the oldest now
    kept = grants.live("source-a", CASE, THURSDAY)
    assert kept is not None and kept.token == "new"
    assert grants.live("source-b", CASE, THURSDAY) is None


def test_forget_drops_every_grant_of_one_source_only() -> None:
    grants = CaseGrants()
    grants.keep("source-a", _grant(), THURSDAY)
    grants.keep("source-a", _grant(OTHER), THURSDAY)
    grants.keep("source-b", _grant(), THURSDAY)
    grants.forget("source-a")
    assert grants.live("source-a", CASE, THURSDAY) is None
    assert grants.live("source-a", OTHER, THURSDAY) is None
    assert grants.live("source-b", CASE, THURSDAY) is not None


def test_drop_forgets_one_grant_the_court_refused() -> None:
    grants = CaseGrants()
    grants.keep("source-a", _grant(), THURSDAY)
    grants.keep("source-a", _grant(OTHER), THURSDAY)
    grants.drop("source-a", CASE)
    assert grants.live("source-a", CASE, THURSDAY) is None
    assert grants.live("source-a", OTHER, THURSDAY) is not None


def test_the_token_is_never_in_a_repr() -> None:
    assert "secret-token" not in repr(_grant(token="secret-token"))


def test_many_threads_keep_within_the_bound() -> None:
    grants = CaseGrants(max_grants=50)

    def keep(worker: int) -> None:
        for n in range(200):
            grants.keep(f"source-{worker}-{n}", _grant(), THURSDAY)
            grants.live(f"source-{worker}-{n}", CASE, THURSDAY)

    threads = [threading.Thread(target=keep, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(grants) == 50
