"""Entry point of the ``yichuang`` console script."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot.cli import (
    answer,
    case_number,
    chat,
    conversation_tests,
    court_sim,
    db,
    deadline,
    desk,
    fee,
    nlu,
    serve,
    telegram,
    templates,
    wechat,
)
from bot.cli.common import EXIT_USAGE, CliError, Parser
from knowledge.loader import KnowledgeDataError

#: Sub-command modules, each with ``register(subparsers)``.
COMMANDS = (
    serve,
    answer,
    case_number,
    chat,
    court_sim,
    db,
    deadline,
    desk,
    fee,
    nlu,
    telegram,
    templates,
    conversation_tests,
    wechat,
)


def build_parser() -> Parser:
    parser = Parser(prog="yichuang", description="一窗 Yichuang 诉讼服务助手")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        status: int = args.func(args)
        return status
    except (CliError, KnowledgeDataError) as exc:
        message = " ".join(str(exc).split())  # exactly one line
        sys.stderr.write(f"yichuang: {message}\n")
        return EXIT_USAGE
    except ValidationError as exc:  # a YICHUANG_* variable the settings refuse
        from bot.settings import describe

        sys.stderr.write(f"yichuang: {' '.join(describe(exc).split())}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
