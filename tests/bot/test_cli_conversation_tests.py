"""`yichuang test conversations`: exit 0 / 1 / 2, the failure report, --json, strict files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, model_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.setenv("YICHUANG_NLU_MODEL_PATH", str(model_path))
    monkeypatch.setenv("YICHUANG_CONFIG_DIR", str(REPO / "config"))
    monkeypatch.delenv("YICHUANG_COURT_API_URL", raising=False)
    return tmp_path


def write(directory: Path, text: str) -> Path:
    path = directory / "conversations.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_file_passes(cli: Cli, env: Path) -> None:
    status, out, _ = cli("test", "conversations", str(REPO / "docs/conversations.example.yml"))
    assert status == 0, out
    assert "3 个对话，3 个通过，0 个失败" in out


def test_a_failing_turn_is_reported_with_what_the_bot_said(cli: Cli, env: Path) -> None:
    path = write(
        env,
        """
conversations:
  - name: 算费
    turns:
      - user: 算诉讼费
        form: fee
      - tap: 离婚
        bot_contains: 一百万元
  - name: 打招呼
    turns:
      - user: 你好
""",
    )
    status, out, _ = cli("test", "conversations", str(path))
    assert status == 1
    assert "失败 FAIL  算费" in out and "通过 PASS  打招呼" in out
    assert "对话「算费」第2轮" in out
    assert "回复包含「一百万元」" in out
    assert "离婚案件受理费" in out  # what the bot said instead


def test_json_lists_every_conversation_with_its_failures(cli: Cli, env: Path) -> None:
    path = write(
        env,
        """
conversations:
  - name: 按钮没给
    turns:
      - user: 谢谢
      - tap: 算诉讼费
  - name: 转人工
    turns:
      - user: 转人工
        handoff: true
""",
    )
    status, out, _ = cli("test", "conversations", str(path), "--json")
    assert status == 1
    report = json.loads(out)
    assert (report["total"], report["failed"], report["passed"]) == (2, 1, False)
    missing, handed = report["conversations"]
    assert missing["passed"] is False and missing["failures"][0]["turn"] == 2
    assert "算诉讼费" in missing["failures"][0]["expected"][0]
    assert handed == {
        "file": str(path),
        "name": "转人工",
        "passed": True,
        "turns": 1,
        "failures": [],
    }


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "conversations:\n  - name: a\n    turns:\n      - user: 你好\n        bot_contain: x\n",
            ["对话「a」", "第1轮", "bot_contain"],
        ),
        (
            "conversations:\n  - name: a\n    turns:\n      - user: 你好\n        handoff: 是\n",
            ["对话「a」", "第1轮", "handoff"],
        ),
        (
            "conversations:\n  - name: a\n    turns:\n      - user: 你好\n        tap: 好\n",
            ["第1轮", "user", "tap"],
        ),
        ("conversations:\n  - name: a\n    turns: []\n", ["对话「a」", "turns"]),
        ("conversations:\n  - name: a\n    now: 明天\n    turns:\n      - user: x\n", ["now"]),
        (
            "conversations:\n  - name: a\n    turns:\n      - user: x\n        bot_matches: '('\n",
            ["bot_matches"],
        ),
        (
            "business_hours: 全天\nconversations:\n  - name: a\n    turns:\n      - user: x\n",
            ["business_hours"],
        ),
        (
            "conversations:\n  - {name: a, turns: [{user: x}]}\n"
            "  - {name: a, turns: [{user: y}]}\n",
            ["名称重复"],
        ),
        ("conversation: []\n", ["conversation"]),
        ("conversations: [\n", ["YAML"]),
    ],
)
def test_a_bad_file_is_one_line_and_exit_2(
    cli: Cli, env: Path, text: str, words: list[str]
) -> None:
    path = write(env, text)
    status, out, err = cli("test", "conversations", str(path))
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and str(path) in err
    assert all(word in err for word in words), err


def test_a_missing_file_is_exit_2(cli: Cli, env: Path) -> None:
    status, _, err = cli("test", "conversations", str(env / "none.yml"))
    assert status == 2 and "none.yml" in err
