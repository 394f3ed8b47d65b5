"""``yichuang serve``: the whole service over HTTP."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import CliError, add_json_flag
from bot.settings import Settings


def register(sub: Any) -> None:
    parser = sub.add_parser("serve", help="启动服务 (网页聊天、渠道、导诉台)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    add_json_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Serve until stopped; with ``--json`` every log line is one JSON document."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.app import create_app
    from bot.court.fixture import FixtureError
    from bot.logs import configure_logging
    from bot.serving import serve_forever
    from bot.storage.db import DatabaseUrlError
    from bot.storage.migrate import MigrationError
    from dialogs.hours import BusinessHoursError

    if not 0 < args.port < 65536:
        raise CliError(f"端口应在 1–65535 之间: {args.port}")
    loopback = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
    settings = Settings()
    settings = settings.model_copy(update={"local_url": f"http://{loopback}:{args.port}"})
    configure_logging(settings.log_level, as_json=args.json)
    try:
        app = create_app(settings)
    except (
        DatabaseUrlError,
        MigrationError,
        SQLAlchemyError,
        BusinessHoursError,
        FixtureError,
    ) as exc:
        raise CliError(f"无法启动：{exc}") from exc
    serve_forever(app, args.host, args.port, settings.log_level, args.json)
    return 0
