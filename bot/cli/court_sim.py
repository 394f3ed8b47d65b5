"""``yichuang court-sim``: the court case API simulator on its own port."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from bot.cli.common import CliError
from bot.settings import Settings

log = logging.getLogger(__name__)


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "court-sim",
        help="单独运行法院案件接口模拟器",
        description=(
            "运行法院案件接口模拟器（接口说明见 /openapi.json 与 /docs）。"
            "案件数据取自 --fixture，其次是环境变量 YICHUANG_COURT_FIXTURE，"
            "都没有时用内置演示案件；"
            "设置了 YICHUANG_COURT_API_KEY 时，请求须带请求头 X-API-Key。"
        ),
    )
    parser.add_argument("--fixture", type=Path, metavar="FILE", help="案件数据 JSON 文件")
    parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    parser.add_argument("--port", type=int, default=8001, help="端口（默认 8001）")
    parser.add_argument(
        "--no-faults",
        dest="faults",
        action="store_false",
        help="关闭 /_sim/faults 故障注入（默认开启，供测试“法院系统繁忙”的答复）",
    )
    parser.add_argument("--json", action="store_true", help="日志每行输出一个 JSON 文档")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check the fixture, then serve until stopped."""
    from bot.court.fixture import FixtureError
    from bot.court.simulator import create_simulator
    from bot.logs import configure_logging
    from bot.serving import serve_forever

    if not 0 < args.port < 65536:
        raise CliError(f"端口应在 1–65535 之间: {args.port}")
    settings = Settings()
    fixture = args.fixture or settings.court_fixture
    try:
        app = create_simulator(fixture, settings.court_api_key, faults=args.faults)
    except FixtureError as exc:
        raise CliError(str(exc)) from None
    configure_logging(settings.log_level, as_json=args.json)
    log.info(
        "court simulator: %d cases from %s, API key %s, fault injection %s",
        len(app.state.fixture.cases),
        app.state.fixture.origin,
        "required" if settings.court_api_key else "not required",
        "on" if args.faults else "off",
    )
    serve_forever(app, args.host, args.port, settings.log_level, args.json)
    return 0
