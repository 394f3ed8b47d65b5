"""``yichuang desk purge [--days N]``: delete transcripts older than the retention period.

An action of the ``desk`` command: ``bot.cli.desk`` calls ``register_action``
with its sub-parsers.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import CliError, add_json_flag, emit
from bot.settings import Settings


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"天数应为整数：{value!r}") from None
    if days < 1:
        raise argparse.ArgumentTypeError(f"天数至少为 1：{value}")
    return days


def register_action(actions: Any) -> None:
    parser = actions.add_parser(
        "purge", help="按保存期限删除过期的对话记录（默认 YICHUANG_RETENTION_DAYS，180 天）"
    )
    parser.add_argument("--days", type=_days, metavar="N", help="删除 N 天以前的对话记录")
    add_json_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.cli.db import _hide
    from bot.desk.retention import purge, retention_days
    from bot.storage.db import Database, DatabaseUrlError, safe_url
    from bot.storage.migrate import MigrationError, upgrade

    settings = Settings()
    days = args.days if args.days is not None else retention_days(settings)
    if days < 1:
        raise CliError(f"保存期限至少为 1 天：YICHUANG_RETENTION_DAYS={days}")
    shown = safe_url(settings.database_url)
    try:
        upgrade(settings.database_url)
        database = Database(settings.database_url)
        try:
            with database.session() as session:
                result = purge(session, days=days)
        finally:
            database.dispose()
    except (DatabaseUrlError, MigrationError) as exc:
        raise CliError(str(exc)) from exc
    except SQLAlchemyError as exc:
        reason = _hide(
            settings.database_url, " ".join(str(getattr(exc, "orig", None) or exc).split())[:200]
        )
        raise CliError(f"无法访问数据库 {shown}：{reason}") from exc
    text = (
        f"已删除 {days} 天以前的记录：消息 {result.messages} 条，对话 {result.conversations} 个，"
        f"评分 {result.ratings} 条，回电登记 {result.callbacks} 条，"
        f"网页对话凭证 {result.webchat_sessions} 个"
    )
    emit(args, result.as_dict(), text)
    return 0
