"""``yichuang deadline KIND --from YYYY-MM-DD``: the procedural-deadline calculator."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from typing import Any

from bot.cli.common import CliError, add_json_flag, emit
from bot.settings import Settings
from knowledge.calendar import load_calendar, weekday_zh
from knowledge.deadlines import (
    Deadline,
    DeadlineError,
    DeadlineKind,
    compute_deadline,
    deadline_kinds,
)

#: 2025-09-30, 2025/9/30, 2025.9.30 or 2025年9月30日.
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "deadline",
        help="计算诉讼期限的最后一日（上诉、再审、申请执行……）",
        description="按法定期间计算最后一日：起算日不计入，最后一日遇法定休假日顺延。"
        "用 --list 查看全部期限种类。",
    )
    parser.add_argument(
        "kind", nargs="?", metavar="KIND", help="期限种类，如 appeal_civil_judgment"
    )
    parser.add_argument(
        "--from", dest="start", metavar="YYYY-MM-DD", help="起算日，如收到判决书之日"
    )
    parser.add_argument(
        "--in-custody", action="store_true", help="刑事期限：被告人在押（最后一日不因节假日顺延）"
    )
    parser.add_argument("--list", action="store_true", help="列出全部期限种类")
    add_json_flag(parser)
    parser.set_defaults(func=run)


def parse_date(text: str) -> dt.date:
    """Read the start date a litigant types; a bad one is a one-line CliError."""
    match = _DATE.fullmatch(text.strip())
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise CliError(f"日期无效：“{text}”，应为 YYYY-MM-DD，如 2025-09-30")


def render(result: Deadline) -> str:
    estimate = "，推算日期，以法院公告为准" if result.estimated else ""
    last = f"{result.last_day}（{weekday_zh(result.last_day)}{estimate}）"
    head = f"{result.title}：自 {result.from_date} 次日起算，最后一日 {last}"
    lines = [head + "。", f"起算日：{result.from_date}（{result.from_means}）"]
    if result.moved_reason:
        lines.append(f"顺延：{result.moved_reason}")
    lines.append(f"依据：{result.rule}")
    if result.notes:
        lines.append("说明：")
        lines += [f"  - {note}" for note in result.notes]
    return "\n".join(lines)


def _kind_entry(kind: DeadlineKind) -> dict[str, Any]:
    return {
        "kind": kind.key,
        "name": kind.name,
        "title": kind.title,
        "period": {"amount": kind.period.amount, "unit": kind.period.unit},
        "from_means": kind.from_means,
        "rule": kind.rule,
    }


def render_list(kinds: list[DeadlineKind]) -> str:
    width = max(len(kind.key) for kind in kinds)
    lines = ["期限种类（KIND）："]
    lines += [f"  {k.key:<{width}}  {k.title}，起算：{k.from_means}" for k in kinds]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.list:
        kinds = deadline_kinds()
        emit(args, [_kind_entry(kind) for kind in kinds], render_list(kinds))
        return 0
    if args.kind is None:
        raise CliError("请给出期限种类 KIND（用 --list 查看全部种类）")
    if args.start is None:
        raise CliError("缺少 --from YYYY-MM-DD（起算日，如收到判决书之日）")
    start = parse_date(args.start)
    calendar = load_calendar(Settings().court_config_dir())
    try:
        result = compute_deadline(args.kind, start, calendar, in_custody=args.in_custody)
    except DeadlineError as exc:
        raise CliError(str(exc)) from exc
    emit(args, result.as_dict(), render(result))
    return 0
