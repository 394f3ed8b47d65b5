"""``yichuang wechat push-menu``: publish the official account's custom menu.

The menu is data the court edits (config/wechat_menu.json); each CLICK key is a
button payload, so pressing a menu item acts exactly like the chat's buttons.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from bot.cli.common import CliError, Parser, add_json_flag, emit
from bot.settings import Settings

MENU_FILE = "wechat_menu.json"
#: WeChat's own limits on a custom menu.
MAX_TOP, MAX_SUB, MAX_KEY_BYTES, MAX_TOP_NAME, MAX_SUB_NAME = 3, 5, 128, 16, 60


def register(sub: Any) -> None:
    parser = sub.add_parser("wechat", help="微信公众号：发布自定义菜单")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    actions.required = True
    push = actions.add_parser(
        "push-menu", help="把菜单（默认 config/wechat_menu.json）发布到公众号"
    )
    push.add_argument("--file", type=Path, help="菜单 JSON 文件")
    add_json_flag(push)
    push.set_defaults(func=run_push_menu)


def check_menu(menu: Any) -> list[str]:
    """The menu's problems in Chinese (empty when WeChat will accept it)."""
    problems: list[str] = []
    buttons = menu.get("button") if isinstance(menu, dict) else None
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_TOP:
        return [f"菜单应有 1–{MAX_TOP} 个一级按钮（button 列表）"]
    for top in buttons:
        name = str(top.get("name", ""))
        if not name or len(name.encode()) > MAX_TOP_NAME:
            problems.append(f"一级按钮名称应为 1–{MAX_TOP_NAME} 字节：{name!r}")
        subs = top.get("sub_button")
        items = subs if isinstance(subs, list) else [top]
        if isinstance(subs, list) and not 1 <= len(subs) <= MAX_SUB:
            problems.append(f"“{name}”的子按钮应为 1–{MAX_SUB} 个")
        for item in items:
            label = str(item.get("name", ""))
            if isinstance(subs, list) and (not label or len(label.encode()) > MAX_SUB_NAME):
                problems.append(f"子按钮名称应为 1–{MAX_SUB_NAME} 字节：{label!r}")
            if item.get("type") == "click":
                key = str(item.get("key", ""))
                if not key.startswith("/") or len(key.encode()) > MAX_KEY_BYTES:
                    problems.append(f"“{label}”的 key 应为以 / 开头的按钮指令，且不超过 128 字节")
            elif item.get("type") != "view" or not str(item.get("url", "")).startswith("https://"):
                problems.append(f"“{label}”应为 click（带 key）或 view（https 链接）")
    return problems


def run_push_menu(args: argparse.Namespace) -> int:
    from bot.channels.wechat import WeChatApi, WeChatApiError

    settings = Settings()
    path = args.file or settings.config_dir / MENU_FILE
    try:
        menu = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CliError(f"读不到菜单文件 {path}：{exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise CliError(f"菜单文件 {path} 不是合法 JSON：第{exc.lineno}行 {exc.msg}") from exc
    problems = check_menu(menu)
    if problems:
        raise CliError(f"菜单文件 {path} 有误：" + "；".join(problems))
    try:
        WeChatApi(settings, time.time).create_menu(menu)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    except WeChatApiError as exc:
        raise CliError(f"微信拒绝了菜单：{exc}") from exc
    except Exception as exc:  # network errors: one line, never a traceback
        raise CliError(f"无法连接微信接口：{type(exc).__name__}") from exc
    emit(args, {"pushed": True, "file": str(path), "menu": menu}, f"已发布公众号菜单（{path}）")
    return 0
