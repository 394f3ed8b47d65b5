"""A court that hangs, and a bystander: how long does "你好" take while 60 look-ups wait?

The court API is a loopback socket that accepts and never answers; 60 litigants send
their query code at once (each look-up then waits its 3 s budget), and a bystander says
"你好" every 100 ms meanwhile. Reported: the bystander's latency, and how many look-ups
got 系统繁忙 at once. ``--limit 1000 --threads 40`` is the behaviour before the limit
(no in-flight limit, anyio's default 40 request threads).

    .venv/bin/python benchmarks/court_bench.py [--limit N] [--threads N] [--json]
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bot.app  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.serving import free_port, serve_in_thread  # noqa: E402
from bot.settings import Settings  # noqa: E402
from dialogs.texts import BUSY  # noqa: E402
from nlu.train import DEFAULT_DATA_DIR, train  # noqa: E402

DEMO = json.loads((ROOT / "bot/court/demo_cases.json").read_text("utf-8"))["cases"][0]
LOOKUPS = 60


def black_hole() -> tuple[socket.socket, list[socket.socket]]:
    listener = socket.create_server(("127.0.0.1", 0), backlog=256)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return listener, held


def say(url: str, sender: str, text: str) -> str:
    body = {"sender": sender, "message": text}
    response = httpx.post(f"{url}/webhooks/rest/webhook", json=body, timeout=60)
    return "\n".join(m.get("text", "") for m in response.json())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=16, help="YICHUANG_COURT_MAX_IN_FLIGHT")
    parser.add_argument("--threads", type=int, default=bot.app.REQUEST_THREADS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    bot.app.REQUEST_THREADS = args.threads  # read by the app's lifespan
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "model.pkl"
        train(DEFAULT_DATA_DIR, model)
        listener, _held = black_hole()
        port = free_port()
        settings = Settings(
            database_url=f"sqlite:///{tmp}/bench.db",
            nlu_model_path=model,
            config_dir=ROOT / "config",
            local_url=f"http://127.0.0.1:{port}",
            court_api_url=f"http://127.0.0.1:{listener.getsockname()[1]}",
            court_max_in_flight=args.limit,
            recovery_interval_seconds=0,
            _env_file=None,  # type: ignore[call-arg]
        )
        with serve_in_thread(create_app(settings), port=port) as url:
            senders = [f"lookup-{i}" for i in range(LOOKUPS)]
            for sender in senders:
                say(url, sender, DEMO["case_number"])
            say(url, "bystander", "你好")  # warm
            answers: list[str] = []
            started = time.monotonic()
            threads = [
                threading.Thread(target=lambda s=s: answers.append(say(url, s, DEMO["query_code"])))
                for s in senders
            ]
            for thread in threads:
                thread.start()
            latencies = []
            while any(t.is_alive() for t in threads):
                began = time.monotonic()
                say(url, "bystander", "你好")
                latencies.append((time.monotonic() - began) * 1000)
                time.sleep(0.1)
            for thread in threads:
                thread.join()
            total = time.monotonic() - started
        listener.close()
    result = {
        "limit": args.limit,
        "threads": args.threads,
        "lookups": LOOKUPS,
        "busy_answers": sum(BUSY in a for a in answers),
        "bystander_turns": len(latencies),
        "bystander_max_ms": round(max(latencies), 1),
        "bystander_median_ms": round(sorted(latencies)[len(latencies) // 2], 1),
        "lookups_done_s": round(total, 2),
    }
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
