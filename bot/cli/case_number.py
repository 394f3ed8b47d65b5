"""``yichuang case-number TEXT``: parse a case number (案号) and explain its parts."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import CliError, add_json_flag, emit
from knowledge.case_number import CaseNumber, CaseNumberError, parse_case_number


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "case-number",
        help="解析并核验案号，如（2024）内0624民初2900号",
        description="解析并核验案号；括号、空格、全角数字、缺少“号”等写法会自动规范。",
    )
    parser.add_argument("text", metavar="TEXT", nargs="+", help="案号（可含空格）")
    add_json_flag(parser)
    parser.set_defaults(func=run)


def render(number: CaseNumber) -> str:
    """The anatomy of a case number, part by part, in Chinese."""
    head = f"案号：{number.canonical}"
    if number.old_format:
        head += "（2016 年以前的旧格式）"
    lines = [head, f"  年份：{number.year} —— 收案年度，即法院受理该案的年份"]
    court = f"  法院：{number.court_code} —— {number.court_label}"
    if number.old_format:
        court += "（旧案号中的法院简称）"
    lines.append(court)
    if number.special_code and number.special:
        lines.append(f"  专门审判：{number.special_code} —— {number.special}")
    lines.append(f"  类型：{number.type_code} —— {number.type}")
    if number.random_serial:
        lines.append(f"  编号：{number.serial_text} —— 随机生成的编号，不是收案顺序号")
    else:
        lines.append(f"  编号：{number.serial} —— 该院当年此类案件的第 {number.serial} 号")
    lines += [f"说明：{note}" for note in number.notes]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    try:
        number = parse_case_number(" ".join(args.text))
    except CaseNumberError as exc:
        raise CliError(str(exc)) from exc
    emit(args, number.as_dict(), render(number))
    return 0
