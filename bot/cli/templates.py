"""``yichuang templates``: the 67 model complaint/defence texts, a finder and QR codes."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.cli.common import CliError, Parser, add_json_flag, emit
from bot.settings import Settings
from knowledge.loader import UNVERIFIED_NOTE
from knowledge.model_texts import ModelText, ModelTextCatalogue, load_model_texts
from knowledge.qr import qr_png, qr_svg

#: General facts shown under a list or a single text.
_NOTE_KEYS = ("voluntary", "where")


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "templates",
        help="起诉状、答辩状示范文本（67类）：列表、查找、二维码",
        description="最高人民法院、司法部、中华全国律师协会发布的67类起诉状、答辩状示范文本。",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    actions.required = True

    listing = actions.add_parser("list", help="列出全部67类示范文本")
    add_json_flag(listing)
    listing.set_defaults(func=run_list)

    find = actions.add_parser("find", help="用日常说法查找示范文本，如“朋友借钱不还”")
    find.add_argument("words", metavar="WORDS", nargs="+", help="案由名称或日常说法")
    find.add_argument("--limit", type=int, default=3, help="最多列出几个（默认3）")
    add_json_flag(find)
    find.set_defaults(func=run_find)

    qr = actions.add_parser("qr", help="生成某一示范文本链接的二维码图片")
    qr.add_argument("number", metavar="NUMBER", type=int, help="示范文本编号 1–67")
    qr.add_argument("--format", choices=("png", "svg"), default="png", help="图片格式")
    qr.add_argument("--out", metavar="FILE", required=True, type=Path, help="输出文件")
    add_json_flag(qr)
    qr.set_defaults(func=run_qr)

    show = actions.add_parser("show", help="查看某一示范文本的详情和链接")
    show.add_argument("number", metavar="NUMBER", type=int, help="示范文本编号 1–67")
    add_json_flag(show)
    show.set_defaults(func=run_show)


def _catalogue() -> ModelTextCatalogue:
    settings = Settings()
    return load_model_texts(settings.court_config_dir(), settings.public_base_url)


def _text(catalogue: ModelTextCatalogue, number: int) -> ModelText:
    text = catalogue.by_number(number)
    if text is None:
        raise CliError(f"没有第{number}号示范文本（编号为1–{len(catalogue.all())}）")
    return text


def _notes(catalogue: ModelTextCatalogue) -> list[str]:
    lines = []
    for key in _NOTE_KEYS:
        fact = catalogue.fact(key)
        if fact is not None:
            note = f"（{UNVERIFIED_NOTE}）" if fact.tag == "U" else ""
            lines.append(f"说明：{fact.text}{note}")
    return lines


def _words(words: tuple[str, ...]) -> str:
    """Keywords for reading: the gap mark of "借…不还" shown as a Chinese ellipsis."""
    return "、".join(w.replace("…", "……") for w in words)


def _facts_json(catalogue: ModelTextCatalogue) -> list[dict[str, str]]:
    return [fact.as_dict() for fact in catalogue.facts]


def render_list(catalogue: ModelTextCatalogue) -> str:
    count = len(catalogue.all())
    lines = [f"起诉状、答辩状示范文本（共{count}类；★为2024年第一批11类，2025年修订）"]
    for group in catalogue.groups:
        lines.append(f"{group.key}. {group.name}（{'、'.join(group.documents)}）")
        lines += [f"  {t.title}" for t in catalogue.all() if t.group == group.key]
    return "\n".join(lines + _notes(catalogue))


def render_text(catalogue: ModelTextCatalogue, text: ModelText) -> str:
    lines = [
        f"第{text.number}号示范文本：{text.name}",
        f"领域：{text.group}. {text.group_name}",
        f"文书：{'、'.join(text.documents)}",
    ]
    if text.first_batch:
        line = "2024年第一批11类之一，2025年修订"
        if text.former_names:
            line += f"（原名“{'”“'.join(text.former_names)}”）"
        lines.append(line)
    if text.description is not None:
        note = f"（{UNVERIFIED_NOTE}）" if text.description.tag == "U" else ""
        lines.append(f"用途：{text.description.text}{note}")
    lines.append(f"链接：{text.url}")
    lines.append(f"常见说法：{_words(text.keywords)}")
    return "\n".join(lines + _notes(catalogue))


def run_list(args: argparse.Namespace) -> int:
    catalogue = _catalogue()
    payload = {
        "count": len(catalogue.all()),
        "texts": [text.as_dict() for text in catalogue.all()],
        "facts": _facts_json(catalogue),
    }
    emit(args, payload, render_list(catalogue))
    return 0


def run_find(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise CliError(f"--limit 应为正整数: {args.limit}")
    query = " ".join(args.words).strip()
    catalogue = _catalogue()
    matches = catalogue.match(query, limit=args.limit)
    if not matches:
        raise CliError(
            f"没有找到与“{query}”对应的示范文本，可以换个说法，"
            f"或用 yichuang templates list 查看全部{len(catalogue.all())}类"
        )
    payload = {
        "query": query,
        "matches": [
            {
                **m.text.as_dict(),
                "score": m.score,
                "basis": m.basis,
                "matched_words": list(m.matched_words),
            }
            for m in matches
        ],
    }
    lines = [f"“{query}”对应的示范文本："]
    for m in matches:
        lines.append(f"  {m.text.title}（{m.text.group_name}；依据：{_words(m.matched_words)}）")
        lines.append(f"     链接：{m.text.url}")
    emit(args, payload, "\n".join(lines))
    return 0


def run_qr(args: argparse.Namespace) -> int:
    text = _text(_catalogue(), args.number)
    out: Path = args.out
    try:
        if args.format == "svg":
            out.write_text(qr_svg(text.url), encoding="utf-8")
        else:
            out.write_bytes(qr_png(text.url))
    except OSError as exc:
        raise CliError(f"无法写入文件 {out}：{_why(exc)}") from exc
    payload = {
        "number": text.number,
        "name": text.name,
        "url": text.url,
        "format": args.format,
        "out": str(out),
    }
    emit(args, payload, f"已生成第{text.number}号 {text.name} 的二维码：{out}\n链接：{text.url}")
    return 0


def _why(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "所在目录不存在"
    if isinstance(exc, IsADirectoryError):
        return "这是一个目录，请写文件名"
    if isinstance(exc, PermissionError):
        return "没有写入权限"
    return "写入失败"


def run_show(args: argparse.Namespace) -> int:
    catalogue = _catalogue()
    text = _text(catalogue, args.number)
    payload = {**text.as_dict(), "facts": _facts_json(catalogue)}
    emit(args, payload, render_text(catalogue, text))
    return 0
