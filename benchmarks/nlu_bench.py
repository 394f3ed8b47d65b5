"""NLU benchmark: training time, model size, parse latency, memory, held-out accuracy.

Run: .venv/bin/python benchmarks/nlu_bench.py [--parses 10000] [--json]
Everything is measured in this one process, on this machine, in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from nlu.evaluate import evaluate
from nlu.pipeline import NluPipeline
from nlu.train import DEFAULT_DATA_DIR, train
from nlu.training_data import read

HELDOUT = DEFAULT_DATA_DIR / "test"
#: The day the held-out file's relative dates were resolved against (see its header).
HELDOUT_NOW = datetime(2026, 11, 26, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


def rss_mb() -> float:
    """Current resident set size (Linux /proc), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


#: Run in a fresh interpreter: the server's footprint, without the training run's.
SERVER_RSS = """
import sys
from pathlib import Path
from zoneinfo import ZoneInfo
from bot.app import create_app
from bot.settings import Settings
app = create_app(Settings(nlu_model_path=Path(sys.argv[1])))
pipeline = app.state.nlu.get()
for text in ("标的5万诉讼费多少", "我想起诉", "转人工") * 300:
    pipeline.parse(text)
with open("/proc/self/status", encoding="ascii") as status:
    print(next(int(l.split()[1]) for l in status if l.startswith("VmRSS:")) / 1024)
"""


def server_rss_mb(model_path: Path) -> float:
    out = subprocess.run(
        [sys.executable, "-c", SERVER_RSS, str(model_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parses", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        model_path = Path(tmp) / "model.pkl"
        result = train(DEFAULT_DATA_DIR, model_path, force=True)
        size_mb = model_path.stat().st_size / 1e6
        pipeline = NluPipeline.load(model_path)
        rss_server = server_rss_mb(model_path)

    heldout = read(HELDOUT)
    texts = [example.text for example in heldout.examples]
    for text in texts[:200]:  # warm-up: jieba, caches
        pipeline.parse(text)
    timings = []
    for i in range(args.parses):
        text = texts[i % len(texts)]
        started = time.perf_counter()
        pipeline.parse(text)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    report = evaluate(pipeline, heldout, now=HELDOUT_NOW)
    results = {
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "training_examples": result.model.n_examples,
        "intents": len(result.model.intents),
        "train_seconds": round(result.seconds, 2),
        "model_mb": round(size_mb, 2),
        "parses": args.parses,
        "parse_ms_p50": round(statistics.median(timings), 3),
        "parse_ms_p99": round(timings[int(len(timings) * 0.99) - 1], 3),
        "parse_ms_max": round(timings[-1], 3),
        "server_rss_mb_model_loaded": round(rss_server, 1),
        "bench_process_rss_mb": round(rss_mb(), 1),
        "heldout_n": report["n"],
        "heldout_accuracy": report["accuracy"],
        "heldout_macro_f1": report["macro_f1"],
        "heldout_entity_f1": report["entity_micro"]["f1"],
    }
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for key, value in results.items():
            print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
