"""``yichuang fee KIND``: the litigation-fee calculator."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import CliError, add_json_flag, emit
from bot.settings import Settings
from knowledge.fees import (
    CLOSURES,
    PROCEDURES,
    SUBJECTS,
    FeeError,
    FeeResult,
    calculate_fee,
    fee_kinds,
    load_fee_schedule,
    yuan,
)


def register(sub: Any) -> None:
    kinds = fee_kinds()
    parser = sub.add_parser(
        "fee",
        help="计算诉讼费（《诉讼费用交纳办法》）",
        description="种类: " + "，".join(f"{k}={v}" for k, v in kinds.items()),
    )
    parser.add_argument("kind", metavar="KIND", choices=sorted(kinds), help="费用种类")
    parser.add_argument("--amount", metavar="YUAN", help="金额（元），如 50000")
    parser.add_argument("--procedure", choices=PROCEDURES, default="ordinary")
    parser.add_argument("--closure", choices=CLOSURES, default="judgment", help="结案方式")
    parser.add_argument("--subject", choices=sorted(SUBJECTS), help="行政案件的类别")
    add_json_flag(parser)
    parser.set_defaults(func=run)


def render(result: FeeResult) -> str:
    if result.min is not None and result.max is not None:
        head = f"{result.kind_name}：{yuan(result.min)}至{yuan(result.max)}"
    else:
        head = f"{result.kind_name}：{yuan(result.fee)}"
    lines = [head, "计算过程："]
    lines += [f"  {step}" for step in result.steps]
    lines += [f"说明：{note}" for note in result.notes]
    lines.append(f"依据：{result.rule}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    schedule = load_fee_schedule(Settings().court_config_dir())
    try:
        result = calculate_fee(
            args.kind,
            amount=args.amount,
            procedure=args.procedure,
            closure=args.closure,
            subject=args.subject,
            schedule=schedule,
        )
    except FeeError as exc:
        raise CliError(str(exc)) from exc
    emit(args, result.as_dict(), render(result))
    return 0
