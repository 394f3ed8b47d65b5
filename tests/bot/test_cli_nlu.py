"""`yichuang nlu train|parse|test` as contracts.md §2 describes them."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from nlu.train import DEFAULT_DATA_DIR

Cli = Callable[..., tuple[int, str, str]]

TINY = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - 你好
    - 在吗
- intent: thanks
  examples: |
    - 谢谢
    - 多谢了
"""


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, model_path: Path, tmp_path: Path) -> Path:
    """Point the CLI at a copy of the session's model so tests never retrain the real one."""
    copy = tmp_path / "model.pkl"
    shutil.copy(model_path, copy)
    monkeypatch.setenv("YICHUANG_NLU_MODEL_PATH", str(copy))
    return copy


def test_train_skips_when_the_data_did_not_change(cli: Cli, env: Path) -> None:
    status, out, _ = cli("nlu", "train", "--json")
    assert status == 0
    assert json.loads(out)["trained"] is False


def test_train_rebuilds_when_the_data_changed(cli: Cli, tmp_path: Path) -> None:
    data = tmp_path / "data.yml"
    data.write_text(TINY, encoding="utf-8")
    out_file = tmp_path / "tiny.pkl"
    first = json.loads(
        cli("nlu", "train", "--data", str(data), "--out", str(out_file), "--json")[1]
    )
    assert first["trained"] is True and first["intents"] == 2
    again = json.loads(
        cli("nlu", "train", "--data", str(data), "--out", str(out_file), "--json")[1]
    )
    assert again["trained"] is False
    data.write_text(TINY + "    - 感谢\n", encoding="utf-8")
    changed = json.loads(
        cli("nlu", "train", "--data", str(data), "--out", str(out_file), "--json")[1]
    )
    assert changed["trained"] is True


def test_parse_json_is_the_rasa_result(cli: Cli, env: Path) -> None:
    status, out, _ = cli("nlu", "parse", "申请强制执行要什么材料", "--json")
    assert status == 0
    result = json.loads(out)
    assert result["intent"]["name"] == "enforcement_application"
    assert {"text", "intent", "entities", "intent_ranking"} <= result.keys()


def test_parse_human_output_is_chinese(cli: Cli, env: Path) -> None:
    status, out, _ = cli("nlu", "parse", "标的5万诉讼费多少")
    assert status == 0
    assert out.startswith("意图：fee_calculation")
    assert "amount = 50000" in out


def test_nlu_test_prints_the_contract_shape(cli: Cli, env: Path) -> None:
    status, out, _ = cli("nlu", "test", str(DEFAULT_DATA_DIR / "test"), "--json")
    assert status == 0
    report = json.loads(out)
    assert {"n", "accuracy", "macro_f1", "per_intent", "entities", "errors"} <= report.keys()
    assert report["n"] >= 700
    some = next(iter(report["per_intent"].values()))
    assert {"precision", "recall", "f1", "support"} <= some.keys()
    for error in report["errors"]:
        assert {"text", "expected", "predicted", "confidence"} <= error.keys()


def test_nlu_test_on_a_missing_file_exits_2(cli: Cli, env: Path, tmp_path: Path) -> None:
    status, _, err = cli("nlu", "test", str(tmp_path / "nope.yml"))
    assert status == 2 and err.count("\n") == 1


def test_nlu_test_on_a_non_rasa_file_exits_2(cli: Cli, env: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("hello: world\n", encoding="utf-8")
    status, _, err = cli("nlu", "test", str(bad))
    assert status == 2 and "nlu" in err


def test_now_fixes_relative_dates(cli: Cli, env: Path) -> None:
    status, out, _ = cli("nlu", "parse", "明天去东胜法院", "--now", "2026-11-26", "--json")
    assert status == 0
    dates = [e["value"] for e in json.loads(out)["entities"] if e["entity"] == "date"]
    assert dates == ["2026-11-27"]


def test_bad_now_exits_2(cli: Cli, env: Path) -> None:
    status, _, err = cli("nlu", "parse", "明天", "--now", "tomorrow")
    assert status == 2 and "YYYY-MM-DD" in err
