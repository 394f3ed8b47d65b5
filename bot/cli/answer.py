"""``yichuang answer KEY``: the procedure answer a litigant would read, from the terminal.

Lets court staff proof-read every answer (and its sources) exactly as the
assistant will send it, without starting the service. ``yichuang answer search TEXT``
shows which question-bank entry (knowledge/data/questions.yaml + config/questions.yaml)
would answer a message, and why: the top entries with their scores and the thresholds.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import CliError, add_json_flag, emit
from bot.settings import Settings
from knowledge.procedures import (
    SECTION_TITLES,
    ProcedureBook,
    ProcedureLookupError,
    load_procedures,
    render,
)
from knowledge.questions import load_questions


def register(sub: Any) -> None:
    sections = "，".join(f"{key}={title}" for key, title in SECTION_TITLES.items())
    parser = sub.add_parser(
        "answer",
        help="显示某项诉讼服务的办事指南",
        description=f"部分: {sections}",
    )
    parser.add_argument(
        "key",
        metavar="KEY",
        nargs="?",
        help="办事指南的键，如 appeal 或 上诉；或 search（问题库检索）",
    )
    parser.add_argument("words", metavar="TEXT", nargs="*", help="search 时：要检索的一句话")
    parser.add_argument("--top", type=int, default=5, help="search 时显示前几条（默认5）")
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


def _search(args: argparse.Namespace) -> int:
    from nlu.qbank import COVERAGE, SPECIFIC_COVERAGE, QuestionIndex  # jieba only for a search

    text = " ".join(args.words).strip()
    if not text:
        raise CliError("请给出要检索的话，如 yichuang answer search 小额诉讼判了能上诉吗")
    if args.top < 1:
        raise CliError("--top 应为正整数")
    index = QuestionIndex(load_questions(Settings().court_config_dir()))
    hits = index.search(text, limit=args.top)
    chosen = index.best(text)
    specific = index.best(text, specific_only=True)
    payload: dict[str, Any] = {
        "text": text,
        "method": index.method,
        "threshold": index.threshold,
        "specific_threshold": index.specific_threshold,
        "coverage": COVERAGE,
        "specific_coverage": SPECIFIC_COVERAGE,
        "hits": [hit.as_dict() for hit in hits],
        "answer": chosen.question.as_dict() if chosen else None,
        "overrides_sure_intent": specific is not None,
    }
    lines = [
        f"检索：{text}（{index.method}，阈值 {index.threshold}，特定问题阈值 "
        f"{index.specific_threshold}）"
    ]
    for number, hit in enumerate(hits, start=1):
        mark = "*" if chosen is not None and hit.question.id == chosen.question.id else " "
        lines.append(
            f"{mark}{number}. {hit.score:.3f} 覆盖 {hit.coverage:.2f}  {hit.question.id}"
            f"  {hit.question.question}（匹配：{hit.matched}）"
        )
    if chosen is None:
        lines.append("→ 低于阈值：不从问题库回答，按原有流程（意图或兜底）处理。")
    else:
        when = "即使意图明确也回答（specific）" if specific else "仅在意图不明确时回答"
        lines.append(
            f"→ 回答 {chosen.question.id}，{when}；来源 "
            f"{'; '.join(chosen.question.sources)}［{chosen.question.tag}］"
        )
        lines.append(chosen.question.answer)
    emit(args, payload, "\n".join(lines))
    return 0


def run(args: argparse.Namespace) -> int:
    if args.key == "search":
        return _search(args)
    if args.words:
        raise CliError("多余的参数；检索问题库请用 yichuang answer search TEXT")
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
