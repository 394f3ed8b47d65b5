"""What ``yichuang serve`` logs and exports of a web chat conversation: no one's words or ids.

A real server process, logging as deployed (every level down to DEBUG, uvicorn's
access log on), talks to a litigant through the web chat: a case look-up while the
court API is down and one that succeeds, a few pulls, and a REST pull that names its
sender in the query string. Then no log line and no /metrics series may hold the
sender ids, the secret, the case number (typed, canonical or URL-encoded), the query
code, or any text of the conversation.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import httpx

from bot.serving import free_port
from knowledge.case_number import parse_case_number
from tests.bot.rest_live import CASE, WebChat
from tests.databases import app_database_url
from tests.serve_process import serve_process

TYPED = ("帮我查一下案件进度", CASE["case_number"], CASE["query_code"], "谢谢，再见")
REST_SENDER = "rest-sender-5f0c9a1e"


def test_a_web_chat_with_a_case_look_up_leaves_no_trace_in_logs_or_metrics(
    tmp_path: Path, model_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    env = {"YICHUANG_LOG_LEVEL": "DEBUG", "YICHUANG_COURT_SIM_FAULTS": "true"}
    database = app_database_url(tmp_path, "pii.db")
    answers: list[str] = []
    with serve_process(tmp_path, model_path, port, database_url=database, env=env, log=log):
        url = f"http://127.0.0.1:{port}"
        faults = f"{url}/court-sim/_sim/faults"
        down, up = WebChat.start(url), WebChat.start(url)
        assert httpx.put(faults, json={"status": 500}).status_code in (200, 204)
        for text in TYPED[:3]:
            answers.append(down.text(text))
        assert "系统繁忙" in answers[-1]  # the court API was down: logged as a warning
        assert httpx.delete(faults).status_code in (200, 204)
        for text in TYPED:
            answers.append(up.text(text))
        assert CASE["stage"] in answers[-2]
        assert up.pull() and up.pull(after=1)
        rest = httpx.get(f"{url}/webhooks/rest/messages", params={"sender": REST_SENDER})
        assert rest.status_code == 200
        metrics = httpx.get(f"{url}/metrics").text
    logged = log.read_text("utf-8")
    assert "GET /webchat/messages HTTP/1.1" in logged  # the access log was on
    assert "court API unavailable" in logged
    assert "YICHUANG_REST_TOKEN is not set" in logged  # serve's warning at start
    canonical = parse_case_number(CASE["case_number"]).canonical
    never = {
        down.sender,
        up.sender,
        up.secret,
        down.secret,
        REST_SENDER,
        CASE["case_number"],
        canonical,
        quote(CASE["case_number"]),
        quote(canonical),
        CASE["query_code"],
        *TYPED,
        *(line for answer in answers for line in answer.splitlines() if len(line) > 6),
    }
    for value in never:
        assert value not in logged, f"{value!r} in the log"
        assert value not in metrics, f"{value!r} in /metrics"
