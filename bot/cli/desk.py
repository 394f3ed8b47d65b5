"""``yichuang desk add-staff USERNAME [--role guide|admin]``: guide-desk accounts.

The password is read from standard input, never from the command line (where
``ps`` and the shell history would show it): asked twice on a terminal, one
line when piped, e.g. ``printf '%s\\n' "$PW" | yichuang desk add-staff li``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from bot.cli import desk_purge
from bot.cli.common import CliError, Parser, add_json_flag, emit
from bot.settings import Settings

ROLE_NAMES = {"guide": "导诉员", "admin": "管理员"}


def register(sub: Any) -> None:
    parser = sub.add_parser("desk", help="导诉台：工作人员账号、对话记录清理")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    actions.required = True

    add = actions.add_parser("add-staff", help="新增工作人员账号（密码从标准输入读取）")
    add.add_argument("username", metavar="USERNAME", help="登录用户名")
    add.add_argument(
        "--role", choices=tuple(ROLE_NAMES), default="guide", help="guide（导诉员，默认）或 admin"
    )
    add_json_flag(add)
    add.set_defaults(func=run_add_staff)

    desk_purge.register_action(actions)


def read_password() -> str:
    """Twice without echo on a terminal; one line from a pipe."""
    if sys.stdin.isatty():
        first = getpass.getpass("密码：")
        if getpass.getpass("再输入一次：") != first:
            raise CliError("两次输入的密码不一致")
        return first
    line = sys.stdin.readline()
    if not line:
        raise CliError("没有读到密码：请从标准输入提供密码（一行）")
    return line.rstrip("\r\n")


def run_add_staff(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.cli.db import _hide
    from bot.desk.accounts import AccountError, add_staff, check_password, check_username
    from bot.storage.db import Database, DatabaseUrlError, safe_url
    from bot.storage.migrate import MigrationError, upgrade

    try:
        username = check_username(args.username)
        password = check_password(read_password())
    except AccountError as exc:
        raise CliError(str(exc)) from exc
    url = Settings().database_url
    try:
        upgrade(url)
        database = Database(url)
        try:
            with database.session() as session:
                staff = add_staff(session, username, password, args.role)
                payload = {"username": staff.username, "role": staff.role, "active": staff.active}
        finally:
            database.dispose()
    except (AccountError, DatabaseUrlError, MigrationError) as exc:
        raise CliError(str(exc)) from exc
    except SQLAlchemyError as exc:
        reason = _hide(url, " ".join(str(getattr(exc, "orig", None) or exc).split())[:200])
        raise CliError(f"无法访问数据库 {safe_url(url)}：{reason}") from exc
    except OSError as exc:
        raise CliError(f"无法访问数据库 {safe_url(url)}：{exc.strerror or exc}") from exc
    text = f"已新增{ROLE_NAMES[staff.role]}账号：{staff.username}"
    emit(args, payload, text)
    return 0
