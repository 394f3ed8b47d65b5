"""End-to-end REST benchmark of a real ``yichuang serve``: throughput and latency, a
1,000-turn conversation, and cold start.

Run: .venv/bin/python benchmarks/serve_bench.py [--only rest,long,cold] [--users 50]
     [--seconds 20] [--rate 300] [--databases sqlite,postgresql] [--workers 1,2] [--json]
Every figure comes from one run on this machine: an asyncio httpx load generator
on loopback drives ``POST /webhooks/rest/webhook`` of a ``yichuang serve``
subprocess (built-in court simulator, demo cases), with a fresh database per
configuration. PostgreSQL runs create (and drop) a database on the server named
by YICHUANG_BENCH_POSTGRES_URL or YICHUANG_TEST_POSTGRES_URL; without one they
are left out, with the reason in the output.

- rest: for each database and worker count, N litigants in a closed loop (each
  sends its next message when the last is answered) give the throughput and the
  latency at saturation; then messages arrive at ``--rate`` per second (Poisson,
  latency counted from when each was due), capped at half the measured
  throughput so the latency is that of a load the server sustains; and one
  litigant alone gives the latency without queueing.
- long: one sender, 1,000 turns (a fixed 10-message cycle): first 100 vs last 100.
- cold: process start → first REST answer, on a new database (migrations run)
  and on an existing one (a restart).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from harness import (
    DEMO,
    CpuMeter,
    closed_loop,
    cpu_seconds,
    database,
    distribution,
    free_port,
    machine,
    open_loop,
    percentile,
    postgres_server,
    serve,
    server_env,
    summary,
    trained_model,
    workdir,
)

#: The 1,000-turn conversation repeats these ten messages (a case look-up included),
#: so its first and last hundred turns ask exactly the same things.
CASE = DEMO[0]
CYCLE = [
    ("你好", "一窗"),
    ("借给朋友5万块不还 起诉要交多少诉讼费", "1,050元"),
    ("不服一审判决 上诉期还有几天", "上诉"),
    ("查案件进度", "案号"),  # asks for the number; from the second cycle on, a live grant
    (f"{CASE['case_number']} 查询码是{CASE['query_code']}", CASE["stage"]),
    ("法官是谁", "承办法官"),  # the same case again, read with the court's token
    ("交不起诉讼费能减免吗", "缓"),
    ("离婚的诉讼费要交多少", "离婚案件受理费"),
    ("法律援助怎么申请", "法律援助"),
    ("好的 谢谢你", "不客气"),
]
COURT_STEP = 4


def rest_run(kind: str, workers: int, model: Path, args: argparse.Namespace) -> dict[str, Any]:
    with (
        workdir("yichuang-bench-") as directory,
        database(kind, directory) as url,
        serve(url, model, directory, workers=workers) as server,
    ):
        asyncio.run(closed_loop(server.url, args.users, 3, seed=9, prefix="warm"))
        pids = server.pids()
        meter = CpuMeter(pids)
        cpu_before = cpu_seconds(pids)
        tally, wall = asyncio.run(closed_loop(server.url, args.users, args.seconds))
        cpu_used = cpu_seconds(pids) - cpu_before
        saturated = summary(tally, wall) | meter.cores()
        saturated["server_cpu_ms_per_message"] = round(
            cpu_used * 1000 / max(1, len(tally.latencies_ms)), 1
        )
        rate = min(args.rate, saturated["messages_per_s"] / 2)
        meter = CpuMeter(pids)
        tally, wall = asyncio.run(open_loop(server.url, rate, args.seconds))
        paced = {"offered_per_s": round(rate, 1), **summary(tally, wall), **meter.cores()}
        meter = CpuMeter(pids)
        tally, wall = asyncio.run(closed_loop(server.url, 1, min(10.0, args.seconds), seed=5))
        alone = summary(tally, wall) | meter.cores()
        return {
            "database": kind,
            "workers": workers,
            "saturated": saturated,
            "paced": paced,
            "one_litigant": alone,
            "rss": server.rss(),
        }


async def long_conversation(url: str, turns: int) -> tuple[list[float], int]:
    """Per-turn latencies (ms) of one sender's ``turns`` messages; and how many were wrong."""
    latencies: list[float] = []
    wrong = 0
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        for turn in range(turns):
            text, expected = CYCLE[turn % len(CYCLE)]
            began = time.perf_counter()
            response = await client.post(
                "/webhooks/rest/webhook", json={"sender": "long-1", "message": text}
            )
            latencies.append((time.perf_counter() - began) * 1000)
            answer = "\n".join(m.get("text", "") for m in response.json())
            wrong += response.status_code != 200 or expected not in answer
    return latencies, wrong


def long_run(kind: str, model: Path, turns: int) -> dict[str, Any]:
    with (
        workdir("yichuang-bench-") as directory,
        database(kind, directory) as url,
        serve(url, model, directory) as server,
    ):
        asyncio.run(closed_loop(server.url, 4, 3, seed=9, prefix="warm"))
        meter = CpuMeter(server.pids())
        latencies, wrong = asyncio.run(long_conversation(server.url, turns))
        cores = meter.cores()
    first, last = latencies[:100], latencies[-100:]
    first_p50, last_p50 = statistics.median(first), statistics.median(last)
    first_p95, last_p95 = percentile(first, 95), percentile(last, 95)
    return {
        "database": kind,
        "turns": turns,
        "wrong_answers": wrong,
        "first_100_p50_ms": round(first_p50, 1),
        "first_100_p95_ms": round(first_p95, 1),
        "last_100_p50_ms": round(last_p50, 1),
        "last_100_p95_ms": round(last_p95, 1),
        "ratio_p50_last_over_first": round(last_p50 / first_p50, 2),
        "ratio_p95_last_over_first": round(last_p95 / first_p95, 2),
        # Every block of 100 turns asks the same ten things ten times: a growth with
        # the conversation's length shows as a rising series (and a positive slope).
        "p50_ms_by_100_turns": [
            round(statistics.median(latencies[i : i + 100]), 1) for i in range(0, turns, 100)
        ],
        "slope_ms_per_1000_turns": round(1000 * _slope(latencies), 2),
        "all": distribution(latencies),
        # the proof step: five court API requests over loopback
        "court_lookup_turns": distribution(latencies[COURT_STEP :: len(CYCLE)]),
        "other_turns": distribution(
            [ms for i, ms in enumerate(latencies) if i % len(CYCLE) != COURT_STEP]
        ),
        **cores,
    }


def _slope(values: list[float]) -> float:
    """Least-squares slope of ``values`` against their index."""
    n = len(values)
    mean_x, mean_y = (n - 1) / 2, statistics.fmean(values)
    numerator = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    return numerator / sum((i - mean_x) ** 2 for i in range(n))


def first_answer_seconds(directory: Path, url: str, model: Path) -> float:
    """Start ``yichuang serve``; seconds until ``POST /webhooks/rest/webhook`` answers."""
    port = free_port()
    command = [sys.executable, "-m", "bot.cli.main", "serve", "--port", str(port)]
    body = {"sender": "cold-1", "message": "你好"}
    with open(directory / "cold.log", "ab") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=directory, env=server_env(url, model), stdout=log, stderr=log
        )
        try:
            while True:
                if process.poll() is not None:
                    raise RuntimeError("yichuang serve exited during start-up")
                try:
                    response = httpx.post(
                        f"http://127.0.0.1:{port}/webhooks/rest/webhook", json=body, timeout=30
                    )
                    if response.status_code == 200 and response.json():
                        return time.perf_counter() - started
                except httpx.TransportError:
                    pass
                time.sleep(0.005)
        finally:
            process.terminate()
            process.wait(timeout=20)


def cold_run(kind: str, model: Path, repeats: int) -> dict[str, Any]:
    fresh: list[float] = []
    restart: list[float] = []
    for _ in range(repeats):
        with workdir("yichuang-cold-") as directory, database(kind, directory) as url:
            fresh.append(first_answer_seconds(directory, url, model))
            restart.append(first_answer_seconds(directory, url, model))
    return {
        "database": kind,
        "repeats": repeats,
        "new_database_s": {
            "median": round(statistics.median(fresh), 2),
            "max": round(max(fresh), 2),
        },
        "restart_s": {
            "median": round(statistics.median(restart), 2),
            "max": round(max(restart), 2),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="rest,long,cold", help="comma-separated sections")
    parser.add_argument("--users", type=int, default=50, help="concurrent litigants")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each load run")
    parser.add_argument("--rate", type=float, default=300.0, help="paced run: messages/s")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare")
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--cold-repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    sections = set(args.only.split(","))
    kinds = args.databases.split(",")
    skipped: list[str] = []
    if "postgresql" in kinds and postgres_server() is None:
        kinds.remove("postgresql")
        skipped.append("postgresql: set YICHUANG_BENCH_POSTGRES_URL or YICHUANG_TEST_POSTGRES_URL")
    model = trained_model()
    results: dict[str, Any] = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "users": args.users,
        "seconds": args.seconds,
        "skipped": skipped,
    }

    def report(key: str, value: Any) -> None:
        results.setdefault(key, []).append(value)
        if not args.json:
            print(json.dumps({key: value}, ensure_ascii=False), flush=True)

    # One configuration at a time: the machine's cores are shared with the load generator.
    if "rest" in sections:
        for kind in kinds:
            for workers in (int(w) for w in args.workers.split(",")):
                report("rest", rest_run(kind, workers, model, args))
    if "long" in sections:
        for kind in kinds:
            report("long_conversation", long_run(kind, model, args.turns))
    if "cold" in sections:
        for kind in kinds:
            report("cold_start", cold_run(kind, model, args.cold_repeats))
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
