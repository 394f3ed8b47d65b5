"""The court's case API as the dialogs need it: a protocol, and the records it returns.

Dialogs never know whether the court is the simulator, the real system, or an
in-memory fake in a unit test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol


class CourtUnavailable(Exception):
    """The court API is down, slow (past the time budget) or answered with an error."""


class CourtRefused(CourtUnavailable):
    """The court refuses to check proofs for this case number for now (its own limit on
    failed proofs, HTTP 429): not an outage, so the litigant is told to wait, not that the
    system is busy. ``retry_after`` is in seconds, when the court said."""

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Hearing:
    at: datetime
    room: str | None = None


@dataclass(frozen=True)
class CaseEvent:
    on: date
    what: str


@dataclass(frozen=True)
class Payment:
    amount: Decimal
    received_on: date | None
    status: str  # as the court words it, e.g. 待发放 / 已发放
    paid_out_on: date | None = None


@dataclass(frozen=True)
class CaseRecord:
    """What a verified party may see. No party names, ID or phone numbers."""

    case_number: str
    court: str
    cause: str
    procedure: str
    stage: str
    filed_on: date | None
    judge: str | None
    clerk: str | None
    hearings: tuple[Hearing, ...] = field(default=())
    events: tuple[CaseEvent, ...] = field(default=())
    payments: tuple[Payment, ...] = field(default=())


@dataclass(frozen=True)
class AccessGrant:
    """The court's access token for one case, from a successful proof.

    Lets the same case be read again within ``expires_in`` seconds without asking
    the litigant for the proof a second time. Kept in memory only (dialogs.grants);
    the token is never shown in a repr, logged or stored.
    """

    case_number: str  # canonical, as the court issued the token for it
    token: str = field(repr=False)
    expires_in: int  # seconds, as the court said


@dataclass(frozen=True)
class CaseAccess:
    """A successful lookup: what the party may see, and the grant to read it again."""

    record: CaseRecord
    grant: AccessGrant


class CourtGateway(Protocol):
    def lookup(self, case_number: str, proof: str) -> CaseAccess | None:
        """The case and an access grant if ``proof`` (查询码, or the last six characters
        of a party's ID number) proves the asker is a party; ``None`` when the case does
        not exist OR the proof is wrong — the caller must not be able to tell which.

        Raises :class:`CourtUnavailable` when the API is down, slow or failing.
        """
        ...

    def read(self, grant: AccessGrant) -> CaseRecord | None:
        """The case again with a grant from :meth:`lookup`; ``None`` when the court no
        longer accepts the token (expired or revoked: HTTP 401/403), so the caller asks
        for the proof again.

        Raises :class:`CourtUnavailable` when the API is down, slow or failing.
        """
        ...
