"""Prometheus metrics for ``GET /metrics``: what the court's IT team watches.

One ``Metrics`` per app, with its own registry, so several apps in one process
(the tests) never mix their counts; code without one (the terminal chat, unit
tests) records nothing. Every label value comes from a fixed set — channel and
intent names, handoff reasons, court endpoints, route templates — never a
litigant's text, sender id or case number: the metrics hold no personal data.

With ``PROMETHEUS_MULTIPROC_DIR`` set (several ``yichuang serve`` processes),
counters and histograms go to files in that directory and every process's
``/metrics`` reports the sum over all of them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from statistics import fmean
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.storage import repo
from bot.storage.db import Database
from bot.storage.models import CHANNELS, utcnow
from knowledge.intents import INTENTS

log = logging.getLogger(__name__)

#: The classic text format Prometheus scrapes everywhere (prometheus-client's
#: CONTENT_TYPE_LATEST says version=1.0.0 from 0.22 on; the body is the same).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: Channel label values; anything else is counted as "other".
KNOWN_CHANNELS = frozenset(CHANNELS) | {"cli"}
#: Handoff reasons (dialogs.turn.Handoff, plus system_error from the recovery pass).
HANDOFF_REASONS = (
    "user_request",
    "frustration",
    "low_confidence",
    "court_unavailable",
    "system_error",
)
#: Stages of the two-stage fallback (dialogs.turn.Turn.fallback).
FALLBACK_STAGES = ("first", "second")
#: Kinds of court API failure HttpCourtGateway reports.
COURT_ERROR_KINDS = (
    "timeout",
    "connection",
    "server_error",
    "rejected",
    "invalid_response",
    "request_failed",
    "busy",  # refused at once: the in-flight limit was reached (bot.court.client)
)
COURT_ENDPOINTS = ("verify", "case", "hearings", "events", "payments")
COURT_OUTCOMES = ("found", "not_found", "expired", "refused", "unavailable")
#: Marks the thresholds of dialogs.engine (0.40 fallback, 0.60 leaving a form).
CONFIDENCE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)
#: The court client's budget is 3 s per lookup.
COURT_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class Metrics:
    """The app's counters and histograms, and the desk queue read at scrape time."""

    def __init__(self, database: Database | None = None) -> None:
        self.registry = CollectorRegistry()
        self.multiprocess = "PROMETHEUS_MULTIPROC_DIR" in os.environ
        r = self.registry
        self.messages = Counter(
            "yichuang_messages",
            "Messages received from litigants, by channel and recognised intent.",
            ["channel", "intent"],
            registry=r,
        )
        self.nlu_confidence = Histogram(
            "yichuang_nlu_confidence",
            "Confidence of the NLU's top intent for typed messages (not buttons).",
            buckets=CONFIDENCE_BUCKETS,
            registry=r,
        )
        self.fallbacks = Counter(
            "yichuang_fallbacks",
            "Messages the assistant did not understand: stage first = asked again, "
            "second = handed to the desk.",
            ["stage"],
            registry=r,
        )
        self.handoffs = Counter(
            "yichuang_handoffs",
            "Conversations handed to the guide desk, by reason.",
            ["reason"],
            registry=r,
        )
        self.court_seconds = Histogram(
            "yichuang_court_api_request_duration_seconds",
            "Duration of each HTTP request to the court case API, retries included.",
            ["endpoint"],
            buckets=COURT_BUCKETS,
            registry=r,
        )
        self.court_errors = Counter(
            "yichuang_court_api_errors",
            "Failed court case API requests, by kind (a retried attempt counts too).",
            ["kind"],
            registry=r,
        )
        self.court_lookups = Counter(
            "yichuang_court_lookups",
            "Case look-ups a litigant asked for, by outcome.",
            ["outcome"],
            registry=r,
        )
        self.http_requests = Counter(
            "yichuang_http_requests",
            "HTTP requests by method, route template and status code.",
            ["method", "route", "status"],
            registry=r,
        )
        # Known series start at 0, so rate() and alerts work before the first event.
        for reason in HANDOFF_REASONS:
            self.handoffs.labels(reason=reason)
        for stage in FALLBACK_STAGES:
            self.fallbacks.labels(stage=stage)
        for kind in COURT_ERROR_KINDS:
            self.court_errors.labels(kind=kind)
        for outcome in COURT_OUTCOMES:
            self.court_lookups.labels(outcome=outcome)
        self.desk = DeskQueueCollector(database) if database is not None else None
        if self.desk is not None:
            self.registry.register(self.desk)

    # --- recording ------------------------------------------------------------

    def message(self, channel: str, parse: Mapping[str, Any] | None) -> None:
        """One stored inbound message; ``parse`` None for one the NLU cannot read (a photo)."""
        intent = "none"
        if parse is not None:
            name = parse.get("intent", {}).get("name")
            intent = name if name in INTENTS else "other"
        self.messages.labels(channel=_channel(channel), intent=intent).inc()
        if parse is not None and not parse.get("payload"):
            confidence = parse.get("intent", {}).get("confidence")
            if isinstance(confidence, int | float):
                self.nlu_confidence.observe(float(confidence))

    def fallback(self, stage: str) -> None:
        self.fallbacks.labels(stage=_one_of(stage, FALLBACK_STAGES)).inc()

    def handoff(self, reason: str) -> None:
        self.handoffs.labels(reason=_one_of(reason, HANDOFF_REASONS)).inc()

    def court_request(self, endpoint: str, seconds: float) -> None:
        self.court_seconds.labels(endpoint=_one_of(endpoint, COURT_ENDPOINTS)).observe(seconds)

    def court_error(self, kind: str) -> None:
        self.court_errors.labels(kind=_one_of(kind, COURT_ERROR_KINDS)).inc()

    def court_lookup(self, outcome: str) -> None:
        self.court_lookups.labels(outcome=_one_of(outcome, COURT_OUTCOMES)).inc()

    def http_request(self, method: str, route: str, status: int) -> None:
        method = method if method in HTTP_METHODS else "other"
        self.http_requests.labels(method=method, route=route, status=str(status)).inc()

    # --- exposition -----------------------------------------------------------

    def render(self) -> bytes:
        """The text exposition; in multiprocess mode, summed over every process's files."""
        if not self.multiprocess:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        if self.desk is not None:  # read from the shared database: right for every process
            registry.register(self.desk)
        return generate_latest(registry)


class DeskQueueCollector(Collector):
    """Desk queue gauges read from the database at each scrape, so every process agrees."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def collect(self) -> Iterable[Metric]:
        try:
            with self.database.session(readonly=True) as session:
                waiting = [
                    c.handoff_at for c in repo.conversations_with_status(session, status="handoff")
                ]
                held = len(repo.conversations_with_status(session, status="human"))
        except SQLAlchemyError:
            # An absent series is what alerts on; a 500 would hide the other metrics.
            log.warning("desk queue metrics skipped: the database did not answer")
            return
        now = utcnow()
        waits = [max(0.0, (now - at).total_seconds()) for at in waiting if at is not None]
        yield GaugeMetricFamily(
            "yichuang_desk_queue_length",
            "Conversations waiting in the guide desk queue (status handoff).",
            value=len(waiting),
        )
        yield GaugeMetricFamily(
            "yichuang_desk_queue_longest_wait_seconds",
            "How long the longest-waiting conversation in the desk queue has waited.",
            value=max(waits, default=0.0),
        )
        yield GaugeMetricFamily(
            "yichuang_desk_queue_mean_wait_seconds",
            "Mean time the conversations now in the desk queue have waited.",
            value=fmean(waits) if waits else 0.0,
        )
        yield GaugeMetricFamily(
            "yichuang_desk_held_conversations",
            "Conversations a staff member is handling now (status human).",
            value=held,
        )


class HttpMetricsMiddleware:
    """Counts HTTP requests by route template (``/templates/{number}``), never the raw path."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counted = False

        async def counting_send(message: Message) -> None:
            nonlocal counted
            if message["type"] == "http.response.start" and not counted:
                counted = True  # at the start: an event stream is counted when it opens
                self.metrics.http_request(scope["method"], route_template(scope), message["status"])
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        except Exception:
            if not counted:
                self.metrics.http_request(scope["method"], route_template(scope), 500)
            raise


def route_template(scope: Scope) -> str:
    """The matched route's path template, prefixed by its mount; "unmatched" for no route."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return "unmatched"  # a 404 for a made-up path must not add a series per path
    if isinstance(route, Mount):
        return path + "/{path}"
    # Inside a mounted app (the court simulator) root_path holds the mount's prefix.
    prefix = str(scope.get("root_path", ""))[len(str(scope.get("app_root_path", ""))) :]
    return prefix + path


def metrics_router() -> APIRouter:
    """``GET /metrics``; public like /health, so a reverse proxy should restrict it."""
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        found: Metrics = request.app.state.metrics
        return Response(found.render(), media_type=CONTENT_TYPE)

    return router


def _channel(channel: str) -> str:
    return channel if channel in KNOWN_CHANNELS else "other"


def _one_of(value: str, allowed: tuple[str, ...]) -> str:
    return value if value in allowed else "other"
