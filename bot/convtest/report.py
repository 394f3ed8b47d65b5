"""Results as a test runner shows them: a line per conversation, then each failure."""

from __future__ import annotations

from typing import Any

from bot.convtest.runner import SuiteResult


def as_text(outcomes: list[SuiteResult]) -> str:
    lines: list[str] = []
    for outcome in outcomes:
        lines.append(f"{outcome.path}")
        for result in outcome.results:
            lines.append(f"  {'通过 PASS' if result.passed else '失败 FAIL'}  {result.name}")
        for result in outcome.results:
            failure = result.failure
            if failure is None:
                continue
            lines.append("")
            lines.append(f"失败 FAIL: {outcome.path}: 对话「{result.name}」第{failure.turn}轮")
            lines.append(f"  用户 user: {failure.said}")
            lines.extend(f"  期望 expected: {item}" for item in failure.expected)
            lines.append("  助手 bot:")
            lines.extend(f"    {line}" for line in failure.bot.splitlines() or [""])
    total = [r for o in outcomes for r in o.results]
    failed = sum(not r.passed for r in total)
    lines.append("")
    lines.append(f"{len(total)} 个对话，{len(total) - failed} 个通过，{failed} 个失败")
    return "\n".join(lines)


def as_json(outcomes: list[SuiteResult]) -> dict[str, Any]:
    conversations = [
        {
            "file": str(outcome.path),
            "name": result.name,
            "passed": result.passed,
            "turns": result.turns,
            "failures": []
            if result.failure is None
            else [
                {
                    "turn": result.failure.turn,
                    "user": result.failure.said,
                    "expected": list(result.failure.expected),
                    "bot": result.failure.bot,
                }
            ],
        }
        for outcome in outcomes
        for result in outcome.results
    ]
    failed = sum(not c["passed"] for c in conversations)
    return {
        "passed": failed == 0,
        "total": len(conversations),
        "failed": failed,
        "conversations": conversations,
    }
