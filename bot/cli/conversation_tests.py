"""``yichuang test conversations FILE ...``: a court's own conversation tests.

Every file is checked before anything runs (a bad one: one line, exit 2); then
each conversation is played through the real assistant with the built-in demo
court (or ``YICHUANG_COURT_API_URL``). Exit 0 all passed, 1 some failed.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from bot.cli.common import CliError, add_json_flag, emit
from bot.settings import Settings

EXIT_FAILED = 1


def register(sub: Any) -> None:
    parser = sub.add_parser("test", help="运行整段对话测试（YAML）")
    kinds = parser.add_subparsers(dest="test_kind", metavar="KIND", parser_class=type(parser))
    kinds.required = True
    conversations = kinds.add_parser("conversations", help="按 YAML 文件逐轮对话，核对助手的回答")
    conversations.add_argument("files", nargs="+", type=Path, metavar="FILE")
    add_json_flag(conversations)
    conversations.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.assembly import court_for_terminal
    from bot.convtest.report import as_json, as_text
    from bot.convtest.runner import Runner
    from bot.convtest.spec import SpecError, load

    try:
        suites = [load(path) for path in args.files]
    except SpecError as exc:
        raise CliError(str(exc)) from None
    settings = Settings()
    with court_for_terminal(settings) as court, tempfile.TemporaryDirectory() as workdir:
        runner = Runner(settings, court, Path(workdir))
        outcomes = [runner.run_suite(suite) for suite in suites]
    emit(args, as_json(outcomes), as_text(outcomes))
    return 0 if all(o.passed for o in outcomes) else EXIT_FAILED
