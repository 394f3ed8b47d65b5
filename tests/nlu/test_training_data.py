"""Reading Rasa 3.x NLU YAML: annotations, synonyms, comments, bad blocks, round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.training_data import TrainingDataError, read, reads, writes

SAMPLE = """
version: "3.1"
nlu:
- synonym: 鄂尔多斯市东胜区人民法院
  examples: |
    - 东胜法院
- intent: fee_calculation
  examples: |
    # a comment inside the block is not an example
    - 标的[5万]{"entity": "amount", "value": 50000}诉讼费多少
    - [东胜法院](court)的诉讼费 [3万](amount:30000)

- intent: greet
  examples:
    - text: 你好
    - text: 在吗
- regex: phone
  examples: |
    - 1[3-9]\\d{9}
"""


def test_reads_examples_entities_and_synonyms() -> None:
    data = reads(SAMPLE)
    assert data.intents == ["fee_calculation", "greet"]
    first = data.examples[0]
    assert first.text == "标的5万诉讼费多少"
    (amount,) = first.entities
    assert (amount.entity, amount.value, first.text[amount.start : amount.end]) == (
        "amount",
        50000,
        "5万",
    )
    second = data.examples[1]
    court = second.entities[0]
    assert court.value == "鄂尔多斯市东胜区人民法院"  # from the synonym block
    assert second.entities[1].value == "30000"
    assert [e.text for e in data.examples[2:]] == ["你好", "在吗"]


def test_bad_annotation_is_skipped_with_a_warning_naming_the_file() -> None:
    data = reads(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - 好[x]{bad json}\n    - 你好\n',
        origin="bad.yml",
    )
    assert [e.text for e in data.examples] == ["你好"]
    assert data.warnings and "bad.yml" in data.warnings[0]


@pytest.mark.parametrize("text", ["", "just: a mapping", "- a list", "{{{"])
def test_unreadable_files_raise_with_the_reason(text: str) -> None:
    with pytest.raises(TrainingDataError):
        reads(text, origin="x.yml")


def test_write_then_read_round_trips() -> None:
    data = reads(SAMPLE)
    again = reads(writes(data))
    assert [(e.text, e.intent) for e in again.examples] == [
        (e.text, e.intent) for e in data.examples
    ]
    assert [[(x.entity, x.value, x.start, x.end) for x in e.entities] for e in again.examples] == [
        [(x.entity, x.value, x.start, x.end) for x in e.entities] for e in data.examples
    ]


def test_read_accepts_a_directory(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(
        'version: "3.1"\nnlu:\n- intent: thanks\n  examples: |\n    - 谢谢\n', encoding="utf-8"
    )
    assert read(tmp_path).intents == ["fee_calculation", "greet", "thanks"]
    with pytest.raises(TrainingDataError):
        read(tmp_path / "missing.yml")
