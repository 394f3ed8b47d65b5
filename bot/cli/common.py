"""What every sub-command shares: the exit-2 contract, ``--json`` output, settings."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NoReturn

#: Exit status for bad arguments and invalid input (contracts.md §2).
EXIT_USAGE = 2


class CliError(Exception):
    """A user-facing error: printed as one line on stderr, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse that reports bad arguments as one Chinese line instead of usage + error."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"参数错误: {message}（用 --help 查看用法）")


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="输出一个 JSON 文档")


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, default=_default, indent=2)


def emit(args: argparse.Namespace, payload: Any, text: str) -> None:
    """Print ``payload`` as JSON with ``--json``, else the human-readable ``text``."""
    sys.stdout.write((to_json(payload) if getattr(args, "json", False) else text) + "\n")
