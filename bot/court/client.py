"""``HttpCourtGateway``: the dialogs' CourtGateway, spoken over HTTP to the court case API.

One lookup = verify the party, then read the summary, hearings, events and
payments with the case-bound token, all within one time budget (3 s by
default) so a litigant never waits on a slow court system. The token comes
back as an AccessGrant, so a follow-up question reads the case again
(``read``) without the proof while the court still accepts the token. Connection errors
and 5xx are retried once after a short pause if the budget allows; anything
else that is not a clean answer raises CourtUnavailable. Proofs and ID
numbers are never logged.

A court that hangs must not take the threads ordinary turns need: at most
``max_in_flight`` lookups wait on it at once per process; one more is answered
"系统繁忙" (CourtUnavailable) at once instead of queueing for a thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Protocol, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from bot.court.schema import (
    NOT_FOUND_OR_UNVERIFIED,
    CaseSummary,
    ErrorBody,
    EventList,
    HearingList,
    PaymentList,
    VerifyResponse,
)
from bot.privacy import mask_pii
from dialogs.court import (
    AccessGrant,
    CaseAccess,
    CaseEvent,
    CaseRecord,
    CourtRefused,
    CourtUnavailable,
    Hearing,
    Payment,
)
from knowledge.case_number import CaseNumberError, parse_case_number

log = logging.getLogger(__name__)

ModelT = TypeVar("ModelT", bound=BaseModel)
T = TypeVar("T")

#: Pause before the first retry (doubled for each further one).
BACKOFF_SECONDS = 0.1
#: Do not start an attempt with less time than this left: it could not finish.
MIN_ATTEMPT_SECONDS = 0.2
#: Answers to a read with a token that mean "prove it again", not an outage.
_TOKEN_REJECTED = (401, 403)
#: Lookups one process lets wait on the court at once (``YICHUANG_COURT_MAX_IN_FLIGHT``);
#: with the app's 64 request threads (bot.app.REQUEST_THREADS), 48 stay for other turns.
MAX_IN_FLIGHT = 16

_STATUS_REASONS = {
    401: "法院接口拒绝了请求（API 密钥或访问令牌无效）",
    403: "法院接口拒绝访问",
    429: "法院接口限制了查询次数",
}


class CourtObserver(Protocol):
    """Where the client reports what the IT team monitors (bot.metrics.Metrics is one).

    Only fixed names are passed (endpoint, error kind, outcome), never a case
    number or proof, so nothing personal can reach the metrics.
    """

    def court_request(self, endpoint: str, seconds: float) -> None: ...

    def court_error(self, kind: str) -> None: ...

    def court_lookup(self, outcome: str) -> None: ...


class HttpCourtGateway:
    """A CourtGateway over HTTP; one pooled httpx.Client per gateway, safe to share."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        timeout: float = 3.0,
        retries: int = 1,
        transport: httpx.BaseTransport | None = None,
        observer: CourtObserver | None = None,
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        self.observer = observer
        self._in_flight = threading.BoundedSemaphore(max_in_flight)
        headers = {"Accept": "application/json", "User-Agent": "yichuang-court-client"}
        if api_key:
            headers["X-API-Key"] = api_key
        self.timeout = timeout
        self.retries = retries
        self._client = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers=headers,
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
        )

    # --- the CourtGateway protocol --------------------------------------------

    def lookup(self, case_number: str, proof: str) -> CaseAccess | None:
        """The case and its grant if ``proof`` opens it; None if it does not or the case
        does not exist."""
        try:
            canonical = parse_case_number(case_number).canonical
        except CaseNumberError:
            return None  # not a case number, so certainly not a case
        found = self._guarded(lambda deadline: self._lookup(canonical, proof, deadline))
        self._outcome("not_found" if found is None else "found")
        return found

    def read(self, grant: AccessGrant) -> CaseRecord | None:
        """The case again with the token of an earlier lookup; None once the court
        refuses the token (expired or for another case: 401/403)."""
        record = self._guarded(
            lambda deadline: self._read(grant.case_number, grant.token, deadline)
        )
        self._outcome("expired" if record is None else "found")
        return record

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpCourtGateway:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- one lookup ---------------------------------------------------------

    def _guarded(self, call: Callable[[float], T]) -> T:
        """``call(deadline)`` within the in-flight cap and the time budget; refusals and
        outages are logged (masked) and reported to the observer, then raised."""
        try:
            if not self._in_flight.acquire(blocking=False):
                self._error("busy")
                raise CourtUnavailable("法院接口繁忙：同时在查的案件已达上限")
            try:
                return call(time.monotonic() + self.timeout)
            finally:
                self._in_flight.release()
        except CourtRefused:
            log.warning("the court API refused a case look-up: too many failed proofs")
            self._outcome("refused")
            raise
        except CourtUnavailable as exc:
            log.warning("court API unavailable for a case look-up: %s", mask_pii(str(exc)))
            self._outcome("unavailable")
            raise

    def _outcome(self, outcome: str) -> None:
        if self.observer is not None:
            self.observer.court_lookup(outcome)

    def _lookup(self, canonical: str, proof: str, deadline: float) -> CaseAccess | None:
        body = {"case_number": canonical, "proof": proof.strip()}
        answer = self._send("POST", "v1/cases/verify", deadline, json=body, endpoint="verify")
        if answer.status_code == 404 and _error_code(answer) == NOT_FOUND_OR_UNVERIFIED:
            return None
        if answer.status_code == 429:  # the court's own limit on failed proofs of this number
            self._error("rejected")
            raise CourtRefused("法院接口限制了此案号的验证次数", _retry_after(answer))
        verified = self._parse(answer, VerifyResponse)
        record = self._read(canonical, verified.access_token, deadline)
        if record is None:  # a token refused the moment it was issued: not a clean answer
            self._error("rejected")
            raise CourtUnavailable("法院接口拒绝了刚签发的访问令牌")
        grant = AccessGrant(canonical, verified.access_token, verified.expires_in)
        return CaseAccess(record, grant)

    def _read(self, canonical: str, token: str, deadline: float) -> CaseRecord | None:
        """Summary, hearings, events and payments with ``token``; None when it is refused."""
        path = "v1/cases/" + quote(canonical, safe="")
        headers = {"Authorization": f"Bearer {token}"}
        first = self._send("GET", path, deadline, headers=headers, endpoint="case")
        if first.status_code in _TOKEN_REJECTED and _error_code(first) != "invalid_api_key":
            return None

        def read(suffix: str, model: type[ModelT]) -> ModelT:
            endpoint = suffix.strip("/") or "case"  # a fixed name: the path holds the case number
            answer = self._send("GET", path + suffix, deadline, headers=headers, endpoint=endpoint)
            return self._parse(answer, model)

        summary = self._parse(first, CaseSummary)
        if summary.case_number != canonical:
            self._error("invalid_response")
            raise CourtUnavailable(f"法院接口答复的案号与所查案号不一致：{summary.case_number}")
        hearings = read("/hearings", HearingList).hearings
        events = read("/events", EventList).events
        payments = read("/payments", PaymentList).payments
        return CaseRecord(
            case_number=summary.case_number,
            court=summary.court,
            cause=summary.cause,
            procedure=summary.procedure,
            stage=summary.stage,
            filed_on=summary.filed_on,
            judge=summary.judge,
            clerk=summary.clerk,
            hearings=tuple(Hearing(at=h.at, room=h.room) for h in hearings),
            events=tuple(CaseEvent(on=e.on, what=e.what) for e in events),
            payments=tuple(
                Payment(
                    amount=p.amount,
                    received_on=p.received_on,
                    status=p.status,
                    paid_out_on=p.paid_out_on,
                )
                for p in payments
            ),
        )

    def _send(
        self,
        method: str,
        url: str,
        deadline: float,
        *,
        json: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        endpoint: str,
    ) -> httpx.Response:
        """One request within the budget, retried on connection errors and 5xx.

        Every attempt's duration and every failed attempt are reported to the
        observer, so retries that hide a struggling court API still show.
        """
        attempt = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._error("timeout")
                raise CourtUnavailable(f"法院接口在 {self.timeout:g} 秒内没有答复")
            started = time.monotonic()
            try:
                answer = self._client.request(
                    method, url, json=json, headers=headers, timeout=httpx.Timeout(remaining)
                )
            except httpx.TimeoutException:
                self._finished(endpoint, started, "timeout")
                raise CourtUnavailable(f"法院接口在 {self.timeout:g} 秒内没有答复") from None
            except httpx.TransportError as exc:
                self._finished(endpoint, started, "connection")
                failure = f"无法连接法院接口（{type(exc).__name__}）"
            except httpx.HTTPError as exc:
                self._finished(endpoint, started, "request_failed")
                raise CourtUnavailable(f"法院接口请求失败（{type(exc).__name__}）") from None
            else:
                if answer.status_code < 500:
                    self._finished(endpoint, started, None)
                    return answer
                self._finished(endpoint, started, "server_error")
                failure = f"法院接口服务器错误 {answer.status_code}（{_error_code(answer)}）"
            pause = BACKOFF_SECONDS * 2**attempt
            if attempt >= self.retries:
                raise CourtUnavailable(f"{failure}，已重试 {attempt} 次")
            if deadline - time.monotonic() < pause + MIN_ATTEMPT_SECONDS:
                raise CourtUnavailable(f"{failure}，剩余时间不够重试")
            time.sleep(pause)
            attempt += 1

    def _finished(self, endpoint: str, started: float, error: str | None) -> None:
        """Report one attempt: its duration and, if it failed, the kind of failure."""
        if self.observer is not None:
            self.observer.court_request(endpoint, time.monotonic() - started)
        if error is not None:
            self._error(error)

    def _error(self, kind: str) -> None:
        if self.observer is not None:
            self.observer.court_error(kind)

    def _parse(self, answer: httpx.Response, model: type[ModelT]) -> ModelT:
        """``_parse``, with a refused or malformed answer reported to the observer."""
        try:
            return _parse(answer, model)
        except CourtUnavailable:
            self._error("rejected" if answer.status_code != 200 else "invalid_response")
            raise


def _retry_after(answer: httpx.Response) -> int | None:
    """Seconds from a ``Retry-After`` header, when it is a sane number of them."""
    value = answer.headers.get("retry-after", "")
    return int(value) if value.isdigit() and 0 < int(value) <= 86_400 else None


def _error_code(answer: httpx.Response) -> str:
    """The API's error code, or "-" when the body is not our error shape."""
    try:
        return ErrorBody.model_validate_json(answer.content).code
    except ValidationError:
        return "-"


def _parse(answer: httpx.Response, model: type[ModelT]) -> ModelT:
    if answer.status_code != 200:
        reason = _STATUS_REASONS.get(answer.status_code, "法院接口答复异常")
        raise CourtUnavailable(f"{reason}：HTTP {answer.status_code}（{_error_code(answer)}）")
    try:
        return model.model_validate_json(answer.content)
    except ValidationError:
        raise CourtUnavailable(
            f"法院接口返回的数据格式不正确（{model.__name__}，HTTP {answer.status_code}）"
        ) from None
