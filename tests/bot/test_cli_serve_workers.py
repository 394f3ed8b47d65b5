"""``yichuang serve --workers 2``: two real worker processes answer, with JSON logs.

A real ``yichuang serve`` subprocess (as in test_crash.py): both workers start,
exactly one of them runs the recovery pass, a conversation whose messages land
on either worker continues from the database, every log line is one JSON
document, and stopping the supervisor stops the workers.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bot.serving import free_port
from tests.databases import app_database_url
from tests.serve_process import ROOT, serve_process, wait_for

CASE = json.loads((ROOT / "bot/court/demo_cases.json").read_text("utf-8"))["cases"][0]


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


def is_worker(pid: int) -> bool:
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    return "spawn_main" in cmdline


@contextmanager
def server(
    tmp_path: Path, model_path: Path, port: int, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    database = app_database_url(tmp_path, "workers.db")
    args = ("--workers", "2", "--json")
    with serve_process(
        tmp_path, model_path, port, database_url=database, args=args, log=log
    ) as process:
        yield process


def log_lines(log: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in log.read_text("utf-8").splitlines() if line.strip()]


def test_two_workers_serve_one_conversation(tmp_path: Path, model_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with server(tmp_path, model_path, port, log) as supervisor:

        def started() -> list[str]:
            return [
                line["message"]
                for line in log_lines(log)
                if line["message"].startswith("Started server process")
            ]

        wait_for(lambda: len(started()) == 2, 60, "both workers")
        workers = [pid for pid in children(supervisor.pid) if is_worker(pid)]
        assert len(workers) == 2
        assert len(set(started())) == 2  # two different pids

        # New connections are spread over both workers by the kernel; whichever
        # answers, the conversation continues from the database, and a case look-up
        # (five court API requests) finds the one simulator both workers share.
        def say(text: str, sender: str = "workers-1") -> str:
            with httpx.Client(timeout=30) as client:  # a fresh connection each time
                body = {"sender": sender, "message": text}
                response = client.post(f"{url}/webhooks/rest/webhook", json=body)
            assert response.status_code == 200, response.text
            return "\n".join(m.get("text", "") for m in response.json())

        for round_ in range(4):
            sender = f"workers-{round_}"
            assert "案号" in say("查案件进度", sender)
            assert "查询码" in say(CASE["case_number"], sender)
            answer = say(CASE["query_code"], sender)
            assert CASE["stage"] in answer and CASE["court"] in answer
        assert "1,050元" in say("借给朋友5万块不还 起诉要交多少诉讼费")

        messages = [line["message"] for line in log_lines(log)]
        assert sum("runs the recovery pass" in m for m in messages) == 1
        assert any("court simulator for all workers" in m for m in messages)
    assert supervisor.returncode == 0
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or _zombie(pid)
    # --json: every line of the supervisor and of both workers is one JSON document.
    lines = log_lines(log)
    assert any(line["logger"] == "uvicorn.access" for line in lines)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_workers_must_be_positive(cli: Callable[..., tuple[int, str, str]]) -> None:
    status, _, err = cli("serve", "--workers", "0")
    assert status == 2
    assert "工作进程数" in err and err.count("\n") == 1
