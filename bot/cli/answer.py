"""``yichuang answer KEY``: the procedure answer a litigant would read, from the terminal.

Lets court staff proof-read every answer (and its sources) exactly as the
assistant will send it, without starting the service.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import CliError, add_json_flag, emit
from knowledge.procedures import (
    SECTION_TITLES,
    ProcedureBook,
    ProcedureLookupError,
    load_procedures,
    render,
)


def register(sub: Any) -> None:
    sections = "，".join(f"{key}={title}" for key, title in SECTION_TITLES.items())
    parser = sub.add_parser(
        "answer",
        help="显示某项诉讼服务的办事指南",
        description=f"部分: {sections}",
    )
    parser.add_argument("key", metavar="KEY", nargs="?", help="办事指南的键，如 appeal 或 上诉")
    parser.add_argument("--section", metavar="NAME", help="只显示某一部分，如 deadlines 或 期限")
    parser.add_argument("--list", action="store_true", help="列出全部办事指南")
    add_json_flag(parser)
    parser.set_defaults(func=run)


def _list(args: argparse.Namespace, book: ProcedureBook) -> int:
    payload = {
        "procedures": [
            {"key": p.key, "title": p.title, "sections": list(p.section_keys)} for p in book.all()
        ]
    }
    width = max(map(len, book.keys()))
    text = "\n".join(f"{p.key.ljust(width)}  {p.title}" for p in book.all())
    emit(args, payload, text)
    return 0


def run(args: argparse.Namespace) -> int:
    book = load_procedures()
    if args.list:
        if args.key or args.section:
            raise CliError("--list 不能与 KEY 或 --section 同时使用")
        return _list(args, book)
    if not args.key:
        raise CliError("请给出办事指南的键，如 yichuang answer appeal；用 --list 查看全部")
    try:
        procedure = book.get(args.key)
        text = render(procedure, args.section)
        if args.section is None:
            payload: dict[str, Any] = procedure.as_dict()
        else:
            section = procedure.section(args.section)
            payload = {
                "key": procedure.key,
                "title": procedure.title,
                "section": section.key,
                "section_title": section.title,
                "items": [item.as_dict() for item in section.items],
            }
    except ProcedureLookupError as exc:
        raise CliError(str(exc)) from exc
    payload["text"] = text
    emit(args, payload, text)
    return 0
