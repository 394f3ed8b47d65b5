"""``yichuang telegram set-webhook URL``: point the court's bot at this server, with the secret."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any
from urllib.parse import urlsplit

from bot.cli.common import CliError, Parser, add_json_flag, emit
from bot.settings import Settings

#: The updates the channel answers; everything else is not sent at all.
ALLOWED_UPDATES = ["message", "callback_query"]


def register(sub: Any) -> None:
    parser = sub.add_parser("telegram", help="Telegram 机器人：设置 webhook 地址")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    actions.required = True
    hook = actions.add_parser(
        "set-webhook", help="让 Telegram 把消息推送到 URL（…/webhooks/telegram/webhook）"
    )
    hook.add_argument("url", metavar="URL", help="公网 HTTPS 地址")
    add_json_flag(hook)
    hook.set_defaults(func=run_set_webhook)


def run_set_webhook(args: argparse.Namespace) -> int:
    from telegram.error import TelegramError

    settings = Settings()
    if not settings.telegram_token:
        raise CliError("未设置 YICHUANG_TELEGRAM_TOKEN（机器人令牌）")
    if not settings.telegram_webhook_secret:
        raise CliError(
            "未设置 YICHUANG_TELEGRAM_WEBHOOK_SECRET（webhook 密钥，1–256 位字母数字_-）"
        )
    parts = urlsplit(args.url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise CliError(f"地址无效：{args.url!r}（应为 https://…/webhooks/telegram/webhook）")
    try:
        asyncio.run(
            _set_webhook(
                settings.telegram_token,
                settings.telegram_api_base_url,
                settings.telegram_webhook_secret,
                args.url,
            )
        )
    except TelegramError as exc:
        raise CliError(f"Telegram 拒绝了设置：{exc}") from exc
    emit(
        args,
        {"url": args.url, "allowed_updates": ALLOWED_UPDATES},
        f"已设置 Telegram webhook：{args.url}",
    )
    return 0


async def _set_webhook(token: str, base_url: str, secret: str, url: str) -> None:
    from telegram import Bot

    async with Bot(token, base_url=base_url) as bot:  # getMe first: a bad token fails here
        await bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
