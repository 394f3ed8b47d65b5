"""Question-bank retrieval quality: top-1 on the held-out paraphrases, both scorers.

.venv/bin/python benchmarks/qbank_bench.py
"""

from __future__ import annotations

from pathlib import Path

import yaml

from knowledge.questions import load_questions
from nlu.qbank import QuestionIndex, top1_accuracy

HELDOUT = Path(__file__).parents[1] / "tests" / "knowledge" / "qbank_heldout.yml"


def main() -> None:
    data = yaml.safe_load(HELDOUT.read_text("utf-8"))
    cases = [(case["text"], case["id"]) for case in data["cases"]]
    bank = load_questions(None)
    print(
        f"{len(bank)} entries, {len(cases)} held-out questions, {len(data['unrelated'])} unrelated"
    )
    for method in ("bm25", "tfidf"):
        index = QuestionIndex(bank, method)
        accuracy = top1_accuracy(index, cases)
        answered = sum(index.best(text) is not None for text in data["unrelated"])
        reached = sum(
            (hit := index.best(text)) is not None and hit.question.id == key for text, key in cases
        )
        print(
            f"{method:6} top-1 {accuracy:.3f}  answered above threshold {reached}/{len(cases)}  "
            f"unrelated above threshold {answered}/{len(data['unrelated'])}"
        )


if __name__ == "__main__":
    main()
