"""``yichuang db upgrade|downgrade``: apply the schema migrations to YICHUANG_DATABASE_URL."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from bot.cli.common import CliError, Parser, add_json_flag, emit
from bot.settings import Settings


def register(sub: Any) -> None:
    parser = sub.add_parser("db", help="数据库：升级或回退表结构（YICHUANG_DATABASE_URL）")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    actions.required = True

    up = actions.add_parser("upgrade", help="升级到最新的表结构（首次使用时建表）")
    add_json_flag(up)
    up.set_defaults(func=run_upgrade)

    down = actions.add_parser("downgrade", help="回退到指定版本（base = 删除全部表）")
    down.add_argument("revision", metavar="REV", help="目标版本，如 0001 或 base")
    add_json_flag(down)
    down.set_defaults(func=run_downgrade)


def _migrate(args: argparse.Namespace, action: Callable[[str], None], verb: str) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.storage.db import DatabaseUrlError, safe_url
    from bot.storage.migrate import MigrationError, current, head

    url = Settings().database_url
    shown = safe_url(url)
    try:
        before = current(url)
        action(url)
        after = current(url)
    except (DatabaseUrlError, MigrationError) as exc:
        raise CliError(str(exc)) from exc
    except SQLAlchemyError as exc:
        reason = _hide(url, " ".join(str(getattr(exc, "orig", None) or exc).split())[:200])
        raise CliError(f"无法访问数据库 {shown}：{reason}") from exc
    except OSError as exc:
        raise CliError(f"无法访问数据库 {shown}：{exc.strerror or exc}") from exc
    payload = {"database": shown, "from": before, "to": after, "head": head()}
    changed = "" if before != after else "（无变化）"
    text = f"数据库 {shown} 已{verb}：{before or 'base'} → {after or 'base'}{changed}"
    emit(args, payload, text)
    return 0


def run_upgrade(args: argparse.Namespace) -> int:
    from bot.storage.migrate import upgrade

    return _migrate(args, upgrade, "升级")


def run_downgrade(args: argparse.Namespace) -> int:
    from bot.storage.migrate import downgrade

    return _migrate(args, lambda url: downgrade(url, args.revision), "回退")


def _hide(url: str, text: str) -> str:
    """Never echo the database password, even if a driver message contains it."""
    from sqlalchemy.engine import make_url

    password = make_url(url).password
    return text.replace(str(password), "***") if password else text
