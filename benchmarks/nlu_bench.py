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
import tempfile
import time
from pathlib import Path

from nlu.evaluate import evaluate
from nlu.pipeline import NluPipeline
from nlu.train import DEFAULT_DATA_DIR, train
from nlu.training_data import read

HELDOUT = DEFAULT_DATA_DIR / "test"


def rss_mb() -> float:
    """Current resident set size (Linux /proc), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
    rss_loaded = rss_mb()

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
    report = evaluate(pipeline, heldout)
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
        "rss_mb_model_loaded": round(rss_loaded, 1),
        "rss_mb_end": round(rss_mb(), 1),
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
