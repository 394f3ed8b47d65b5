"""``GET /metrics`` as the court's IT team scrapes it: the real app over loopback HTTP.

Litigants chat through the REST webhook; the scrape is parsed with
prometheus-client's own parser, as Prometheus would read it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from bot.app import create_app
from bot.serving import free_port, serve_in_thread
from bot.storage.db import Database
from bot.storage.models import Conversation, utcnow
from tests.bot.rest_live import CASE, Live, live_settings

#: Distinctive sender ids: none may ever show up in the metrics.
SENDERS = ("sender-a1f3", "sender-b2e4", "sender-c3d5", "sender-d4c6")


@dataclass
class Scrape:
    """One parsed scrape: the raw body and its samples."""

    body: str
    content_type: str
    samples: list[Sample]

    def value(self, name: str, **labels: str) -> float:
        """Sum of the samples called ``name`` whose labels include ``labels``; 0 if none."""
        return sum(
            s.value
            for s in self.samples
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
        )

    def has(self, name: str) -> bool:
        return any(s.name == name for s in self.samples)


def scrape(url: str) -> Scrape:
    response = httpx.get(f"{url}/metrics", timeout=10)
    assert response.status_code == 200, response.text
    families = text_string_to_metric_families(response.text)
    samples = [sample for family in families for sample in family.samples]
    return Scrape(response.text, response.headers["content-type"], samples)


def test_metrics_is_prometheus_text_with_known_series_at_zero(live: Live) -> None:
    metrics = scrape(live.url)
    assert metrics.content_type == "text/plain; version=0.0.4; charset=utf-8"
    assert metrics.has("yichuang_handoffs_total")
    for reason in ("user_request", "frustration", "low_confidence", "system_error"):
        assert metrics.value("yichuang_handoffs_total", reason=reason) == 0
    assert metrics.value("yichuang_fallbacks_total", stage="first") == 0
    assert metrics.value("yichuang_desk_queue_length") == 0
    assert metrics.value("yichuang_desk_queue_longest_wait_seconds") == 0
    assert metrics.has("yichuang_court_api_errors_total")


def test_messages_fallbacks_handoffs_and_the_desk_queue(live: Live) -> None:
    greeter, confused, impatient = SENDERS[:3]
    live.say("你好", greeter)
    live.say("诉讼费怎么算", greeter)
    assert "还是" in live.text("判了不服", confused)  # stage one: "A or B?"
    assert "导诉员" in live.text("都不是", confused)  # stage two: the desk
    live.say("转人工", impatient)

    metrics = scrape(live.url)
    assert metrics.value("yichuang_messages_total", channel="rest", intent="greet") == 1
    assert metrics.value("yichuang_messages_total", channel="rest", intent="fee_calculation") == 1
    assert metrics.value("yichuang_messages_total", channel="rest", intent="request_human") == 1
    assert metrics.value("yichuang_messages_total") == 5
    assert metrics.value("yichuang_nlu_confidence_count") == 5  # every message was typed
    assert metrics.value("yichuang_fallbacks_total", stage="first") == 1
    assert metrics.value("yichuang_fallbacks_total", stage="second") == 1
    assert metrics.value("yichuang_handoffs_total", reason="low_confidence") == 1
    assert metrics.value("yichuang_handoffs_total", reason="user_request") == 1
    assert metrics.value("yichuang_desk_queue_length") == 2
    webhook = {"method": "POST", "route": "/webhooks/rest/webhook", "status": "200"}
    assert metrics.value("yichuang_http_requests_total", **webhook) == 5
    assert_no_personal_data(metrics.body)


def test_queue_wait_gauges_follow_the_waiting_conversations(live: Live) -> None:
    for sender in SENDERS[:2]:
        live.say("转人工", sender)
    database = Database(live.settings.database_url)
    try:  # as if the two had waited 10 and 30 minutes
        with database.session() as session:
            for sender, minutes in zip(SENDERS[:2], (10, 30), strict=True):
                conversation = session.query(Conversation).filter_by(sender_id=sender).one()
                conversation.handoff_at = utcnow() - timedelta(minutes=minutes)
    finally:
        database.dispose()

    metrics = scrape(live.url)
    assert metrics.value("yichuang_desk_queue_length") == 2
    assert 30 * 60 <= metrics.value("yichuang_desk_queue_longest_wait_seconds") < 31 * 60
    assert 20 * 60 <= metrics.value("yichuang_desk_queue_mean_wait_seconds") < 21 * 60


def test_court_lookups_latency_and_errors(live: Live) -> None:
    found, failed = SENDERS[:2]
    live.say("查案件进度", found)
    live.say(CASE["case_number"], found)
    assert CASE["stage"] in live.text(CASE["query_code"].lower(), found)

    live.fault(status=500)
    live.say("查案件进度", failed)
    live.say(CASE["case_number"], failed)
    assert "系统繁忙" in live.text(CASE["query_code"], failed)

    metrics = scrape(live.url)
    assert metrics.value("yichuang_court_lookups_total", outcome="found") == 1
    assert metrics.value("yichuang_court_lookups_total", outcome="unavailable") == 1
    for endpoint in ("case", "hearings", "events", "payments"):
        count = "yichuang_court_api_request_duration_seconds_count"
        assert metrics.value(count, endpoint=endpoint) == 1
    # verify: one clean request, then the failed one and its retry
    verify = metrics.value("yichuang_court_api_request_duration_seconds_count", endpoint="verify")
    assert verify == 3
    assert metrics.value("yichuang_court_api_errors_total", kind="server_error") == 2
    assert metrics.value("yichuang_court_api_request_duration_seconds_sum") > 0
    # the simulator is not part of the app: none of its routes is the app's
    routes = {s.labels.get("route") for s in metrics.samples if "route" in s.labels}
    assert not any("/v1/cases" in str(route) for route in routes)
    assert_no_personal_data(metrics.body)


def test_slow_court_api_counts_a_timeout(live: Live) -> None:
    live.fault(delay=4)  # beyond the client's 3-second budget
    live.say("查案件进度")
    live.say(CASE["case_number"])
    assert "系统繁忙" in live.text(CASE["query_code"])
    metrics = scrape(live.url)
    assert metrics.value("yichuang_court_api_errors_total", kind="timeout") == 1
    assert metrics.value("yichuang_court_lookups_total", outcome="unavailable") == 1
    slow = "yichuang_court_api_request_duration_seconds_bucket"
    assert metrics.value(slow, endpoint="verify", le="2.0") == 0  # it took the whole budget
    assert metrics.value(slow, endpoint="verify", le="+Inf") == 1


def test_made_up_paths_do_not_become_series(live: Live) -> None:
    for n in range(3):
        assert httpx.get(f"{live.url}/no-such-page-{n}", timeout=10).status_code == 404
    assert httpx.get(f"{live.url}/templates/999999", timeout=10).status_code == 404
    metrics = scrape(live.url)
    assert metrics.value("yichuang_http_requests_total", route="unmatched", status="404") == 3
    assert metrics.value("yichuang_http_requests_total", route="/templates/{number}") == 1
    assert "no-such-page" not in metrics.body and "999999" not in metrics.body


def test_two_apps_in_one_process_count_separately(tmp_path: Path, model_path: Path) -> None:
    """Each app has its own registry: one app's litigants never show in another's scrape."""
    ports = (free_port(), free_port())
    apps = []
    for name, port in zip("ab", ports, strict=True):
        (tmp_path / name).mkdir()
        apps.append(create_app(live_settings(tmp_path / name, model_path, port)))
    with (
        serve_in_thread(apps[0], port=ports[0]) as first,
        serve_in_thread(apps[1], port=ports[1]) as second,
    ):
        httpx.post(
            f"{first}/webhooks/rest/webhook", json={"sender": "x", "message": "你好"}, timeout=30
        ).raise_for_status()
        assert scrape(first).value("yichuang_messages_total") == 1
        assert scrape(second).value("yichuang_messages_total") == 0


MULTIPROCESS_WORKER = textwrap.dedent(
    """
    import sys
    from bot.metrics import Metrics

    metrics = Metrics()
    metrics.message("wechat", {"intent": {"name": "greet", "confidence": 0.9}})
    metrics.handoff("user_request")
    if sys.argv[1] == "render":
        sys.stdout.write(metrics.render().decode())
    """
)


def test_multiprocess_mode_sums_every_worker(tmp_path: Path) -> None:
    """Several ``yichuang serve`` processes: each one's /metrics reports the total."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    root = Path(__file__).parents[2]
    for role in ("record", "record", "render"):
        done = subprocess.run(
            [sys.executable, "-c", MULTIPROCESS_WORKER, role],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    samples = [s for f in text_string_to_metric_families(done.stdout) for s in f.samples]
    merged = Scrape(done.stdout, "", samples)
    assert merged.value("yichuang_messages_total", channel="wechat", intent="greet") == 3
    assert merged.value("yichuang_handoffs_total", reason="user_request") == 3


def assert_no_personal_data(body: str) -> None:
    """No sender id, message text, case number or proof: only fixed names and numbers."""
    assert body.isascii()  # every text and case number the litigants sent is Chinese
    for secret in (*SENDERS, CASE["query_code"], CASE["query_code"].lower(), "litigant-1"):
        assert secret not in body
