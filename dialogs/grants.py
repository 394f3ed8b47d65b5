"""Proof once per session: the court's access grants, kept in this process's memory.

After a successful proof the court's token for that case is kept for its
``expires_in`` (at most :data:`MAX_KEEP`), keyed by who asks (the conversation's
source hash, ``Context.sender``) and the canonical case number, so a follow-up
("法官是谁", "那案款呢") reads the case again without asking for the proof. The
proof itself is never kept; the token never leaves memory (not the dialog state,
the database or a log). Expiry is judged by the turn's clock (``ctx.now``), so
conversation tests with a stopped clock are deterministic. Another process, or a
restart, simply has no grant: the litigant is asked for the proof again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timedelta

from dialogs.court import AccessGrant

#: The longest a grant is kept, whatever the court says (issue 14: 15 minutes).
MAX_KEEP = timedelta(minutes=15)
#: Grants kept at most; beyond it the oldest are dropped.
MAX_GRANTS = 10_000


class CaseGrants:
    """Grants by (sender, case number); bounded, thread-safe, expiring on the turn's clock."""

    def __init__(self, max_grants: int = MAX_GRANTS, max_keep: timedelta = MAX_KEEP) -> None:
        self.max_grants = max_grants
        self.max_keep = max_keep
        self._grants: OrderedDict[tuple[str, str], tuple[AccessGrant, datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, sender: str, grant: AccessGrant, now: datetime) -> None:
        """Keep ``grant`` for ``sender`` until the court's expiry (capped at ``max_keep``)."""
        lifetime = min(timedelta(seconds=max(0, grant.expires_in)), self.max_keep)
        if lifetime <= timedelta(0):
            return
        key = (sender, grant.case_number)
        with self._lock:
            self._grants.pop(key, None)
            self._grants[key] = (grant, now + lifetime)
            while len(self._grants) > self.max_grants:
                self._grants.popitem(last=False)

    def live(self, sender: str, case_number: str, now: datetime) -> AccessGrant | None:
        """The grant ``sender`` holds for ``case_number`` (canonical) if it has not expired."""
        key = (sender, case_number)
        with self._lock:
            kept = self._grants.get(key)
            if kept is None:
                return None
            grant, expires_at = kept
            if expires_at <= now:
                del self._grants[key]
                return None
        return grant

    def drop(self, sender: str, case_number: str) -> None:
        """The court refused the grant: forget it, so the proof is asked again."""
        with self._lock:
            self._grants.pop((sender, case_number), None)

    def forget(self, sender: str) -> None:
        """Every grant of ``sender`` ("删除我的记录")."""
        with self._lock:
            for key in [k for k in self._grants if k[0] == sender]:
                del self._grants[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._grants)
