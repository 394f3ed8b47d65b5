"""``yichuang chat``: the same conversation in a terminal (buttons become numbers)."""

from __future__ import annotations

import argparse
import secrets
import sys
from typing import Any

from bot.cli.common import add_json_flag, to_json
from bot.settings import Settings

PROMPT = "您："


def register(sub: Any) -> None:
    parser = sub.add_parser("chat", help="在终端里和助手对话（输入数字选择按钮，Ctrl-D 退出）")
    add_json_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.assembly import build_conversations, court_for_terminal

    settings = Settings()
    sender = f"terminal-{secrets.token_hex(8)}"
    with court_for_terminal(settings) as court:
        service = build_conversations(settings, court)
        buttons: list[dict[str, str]] = []
        interactive = sys.stdin.isatty()
        if interactive:
            print("一窗 · 诉讼服务助手（只提供程序信息，不提供法律意见）。输入问题，Ctrl-D 退出。")
        for line in _lines(interactive):
            text = line.strip()
            if not text:
                continue
            if text.isdigit() and 0 < int(text) <= len(buttons):
                text = buttons[int(text) - 1]["payload"]
            replies = [
                r.as_rest(sender)
                for r in service.handle(channel="cli", sender_id=sender, text=text)
            ]
            buttons = [b for r in replies for b in r.get("buttons", [])]
            if args.json:
                print(to_json(replies))
            else:
                print(_render(replies))
    return 0


def _lines(interactive: bool) -> Any:
    while True:
        try:
            yield input(PROMPT) if interactive else sys.stdin.readline() or _stop()
        except (EOFError, StopIteration):
            return


def _stop() -> str:
    raise EOFError


def _render(replies: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    number = 0
    for reply in replies:
        if "text" in reply:
            lines.append(f"助手：{reply['text']}")
        if "image" in reply:
            lines.append(f"  [图片] {reply['image']}")
        for button in reply.get("buttons", []):
            number += 1
            lines.append(f"  {number}. {button['title']}")
    return "\n".join(lines) if lines else "（已转人工，请等待工作人员回复）"
