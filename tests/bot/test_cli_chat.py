"""`yichuang chat`: the same conversation in a terminal, buttons as numbers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DEMO = json.loads((Path(__file__).parents[2] / "bot/court/demo_cases.json").read_text("utf-8"))


def run_chat(lines: list[str], model_path: Path, tmp_path: Path, *extra: str) -> str:
    env = {
        **os.environ,
        "YICHUANG_NLU_MODEL_PATH": str(model_path),
        "YICHUANG_DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "chat", *extra],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout


def test_terminal_chat_with_numbered_buttons_and_a_case_lookup(
    model_path: Path, tmp_path: Path
) -> None:
    case = DEMO["cases"][0]
    out = run_chat(
        ["你好", "2", "1", "5万", "查案件进度", case["case_number"], case["query_code"]],
        model_path,
        tmp_path,
    )
    assert "1. 我要立案" in out  # the menu, numbered
    assert "哪一类" in out  # "2" pressed 算诉讼费
    assert "1,050元" in out  # "1" pressed 借款、合同等要钱的纠纷, then 5万
    assert case["stage"] in out  # the case, through the simulator over loopback HTTP


def test_terminal_chat_json(model_path: Path, tmp_path: Path) -> None:
    out = run_chat(["你好"], model_path, tmp_path, "--json")
    replies = json.loads(out)
    assert replies[0]["buttons"][0]["title"] == "我要立案"
