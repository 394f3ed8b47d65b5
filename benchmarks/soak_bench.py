"""Soak benchmark: the server's memory (RSS from /proc) under steady REST load, over time.

Run: .venv/bin/python benchmarks/soak_bench.py [--minutes 30] [--rate 30] [--database sqlite]
     [--workers 1] [--out FILE] [--json]
One ``yichuang serve`` subprocess answers colloquial litigants (fee and procedure
questions, case status and case money against the built-in simulator's demo
cases) arriving at ``--rate`` messages per second, new people all the time. Every
``--interval`` seconds the RSS of each serving process is read from /proc. The
loop is bounded: it stops by itself after ``--minutes``. Samples are appended to
``--out`` (JSON lines) as they are taken, so an interrupted soak still leaves them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

from harness import (
    database,
    distribution,
    machine,
    open_loop,
    serve,
    trained_model,
    workdir,
)


async def soak(
    url: str, minutes: float, rate: float, interval: float, sample: Any
) -> dict[str, Any]:
    """Load in ``interval``-long slices until ``minutes`` have passed, sampling after each."""
    end = time.monotonic() + minutes * 60
    began = time.monotonic()
    sample(0.0, None)
    latencies: list[float] = []
    unexpected = errors = 0
    chunk = 0
    while (left := end - time.monotonic()) > 0:
        chunk += 1
        tally, _ = await open_loop(
            url,
            rate,
            min(interval, left),
            pool=100,
            seed=chunk,
            prefix="soak",
            new_sender_odds=0.5,
        )
        latencies.extend(tally.latencies_ms)
        unexpected += tally.unexpected
        errors += tally.errors
        sample(time.monotonic() - began, tally)
    return {
        "messages": len(latencies),
        **distribution(latencies),
        "unexpected": unexpected,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=30.0, help="how long (default 30)")
    parser.add_argument("--rate", type=float, default=10.0, help="messages per second")
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between samples")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="JSON lines of the samples")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    started_at = time.strftime("%Y-%m-%d %H:%M:%S")
    samples: list[dict[str, Any]] = []
    with workdir("yichuang-soak-") as directory:
        model = trained_model()
        with (
            database(args.database, directory) as url,
            serve(url, model, directory, workers=args.workers) as server,
        ):

            def sample(at: float, tally: Any) -> None:
                row = {
                    "t_s": round(at, 1),
                    **server.rss(),
                    "load1": round(os.getloadavg()[0], 2),
                }
                if tally is not None:
                    row["p95_ms"] = distribution(tally.latencies_ms)["p95_ms"]
                    row["messages"] = len(tally.latencies_ms)
                samples.append(row)
                if args.out is not None:
                    with open(args.out, "a", encoding="utf-8") as out:
                        out.write(json.dumps(row) + "\n")
                if not args.json:
                    print(json.dumps(row), flush=True)

            totals = asyncio.run(soak(server.url, args.minutes, args.rate, args.interval, sample))
            rss_final = server.rss()
    peak = max(s["max_mb"] for s in samples)
    # Growth after the first five minutes (warm caches, full connection pools).
    settled = [s for s in samples if s["t_s"] >= 300] or samples
    results = {
        "machine": machine(),
        "started": started_at,
        "minutes": args.minutes,
        "rate_per_s": args.rate,
        "database": args.database,
        "workers": args.workers,
        **totals,
        "rss_start_mb": samples[0]["max_mb"],
        "rss_after_5_min_mb": settled[0]["max_mb"],
        "rss_final_mb": rss_final["max_mb"],
        "rss_peak_mb": peak,
        "rss_growth_after_5_min_mb": round(rss_final["max_mb"] - settled[0]["max_mb"], 1),
        "samples": samples,
    }
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        for key, value in results.items():
            if key != "samples":
                print(f"{key:>26}: {value}")


if __name__ == "__main__":
    main()
