"""``yichuang nlu train|parse|test``: the intent model from the command line."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.cli.common import CliError, Parser, add_json_flag, emit
from bot.settings import Settings
from nlu.training_data import TrainingDataError, read

# The model stack (scikit-learn, jieba) is imported inside the commands that need
# it, so `yichuang fee` and friends start fast.


def register(sub: Any) -> None:
    parser = sub.add_parser("nlu", help="意图识别模型：训练、解析、评估")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    actions.required = True

    train = actions.add_parser("train", help="从 Rasa 格式 YAML 训练（数据未变则跳过）")
    train.add_argument("--data", type=Path, help="训练数据文件或目录（默认 nlu/data）")
    train.add_argument("--out", type=Path, help="模型文件（默认 var/nlu/model.pkl）")
    train.add_argument("--force", action="store_true", help="数据未变也重新训练")
    add_json_flag(train)
    train.set_defaults(func=run_train)

    parse = actions.add_parser("parse", help="解析一句话，输出 Rasa 解析结果")
    parse.add_argument("text", metavar="TEXT")
    parse.add_argument("--now", type=_moment, help="相对日期的参照日 YYYY-MM-DD（默认今天）")
    add_json_flag(parse)
    parse.set_defaults(func=run_parse)

    test = actions.add_parser("test", help="在 Rasa 格式的测试文件上评估")
    test.add_argument("file", metavar="FILE", type=Path)
    test.add_argument("--now", type=_moment, help="相对日期的参照日 YYYY-MM-DD（默认今天）")
    add_json_flag(test)
    test.set_defaults(func=run_test)


def _moment(text: str) -> datetime:
    """A reference day for relative dates, at noon Beijing time."""
    from nlu.pipeline import COURT_TZ

    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD：{text}") from exc
    return datetime(day.year, day.month, day.day, 12, tzinfo=COURT_TZ)


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    updates: dict[str, Any] = {}
    if getattr(args, "data", None) is not None:
        updates["nlu_data_dir"] = args.data
    if getattr(args, "out", None) is not None:
        updates["nlu_model_path"] = args.out
    return settings.model_copy(update=updates)


def run_train(args: argparse.Namespace) -> int:
    from bot.nlu_model import ensure_trained
    from nlu.classifier import describe

    try:
        result = ensure_trained(_settings(args), force=args.force)
    except TrainingDataError as exc:
        raise CliError(str(exc)) from exc
    payload = {
        "trained": result.trained,
        "seconds": round(result.seconds, 2),
        "model": str(_settings(args).nlu_model_path),
        **describe(result.model),
        "warnings": result.warnings,
    }
    verdict = (
        f"训练完成，用时 {result.seconds:.1f} 秒"
        if result.trained
        else "训练数据未变，沿用已有模型"
    )
    text = (
        f"{verdict}：{payload['intents']} 个意图，{payload['examples']} 条样例，"
        f"模型 {payload['model']}"
    )
    emit(args, payload, "\n".join([text, *result.warnings]))
    return 0


def run_parse(args: argparse.Namespace) -> int:
    from bot.nlu_model import load_pipeline

    result = load_pipeline(_settings(args)).parse(args.text, now=args.now)
    lines = [f"意图：{result['intent']['name']}（置信度 {result['intent']['confidence']:.2f}）"]
    for entity in result["entities"]:
        lines.append(f"实体：{entity['entity']} = {entity['value']}（“{entity['text']}”）")
    others = ", ".join(f"{r['name']} {r['confidence']:.2f}" for r in result["intent_ranking"][1:4])
    if others:
        lines.append(f"其他候选：{others}")
    emit(args, result, "\n".join(lines))
    return 0


def run_test(args: argparse.Namespace) -> int:
    from bot.nlu_model import load_pipeline
    from nlu.evaluate import evaluate

    try:
        data = read(args.file)
    except TrainingDataError as exc:
        raise CliError(str(exc)) from exc
    if not data.examples:
        raise CliError(f"{args.file}: 没有找到任何样例")
    report = evaluate(load_pipeline(_settings(args)), data, now=args.now)
    emit(args, report, _human_report(report))
    return 0


def _human_report(report: dict[str, Any]) -> str:
    lines = [
        f"样例 {report['n']} 条；准确率 {report['accuracy']:.3f}；"
        f"宏平均 F1 {report['macro_f1']:.3f}；实体 F1 {report['entity_micro']['f1']:.3f}",
        "",
        f"{'意图':<28}{'P':>7}{'R':>7}{'F1':>7}{'样例':>6}",
    ]
    for name, s in report["per_intent"].items():
        lines.append(
            f"{name:<28}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}{s['support']:>6}"
        )
    lines.append("")
    lines.append(f"{'实体':<28}{'P':>7}{'R':>7}{'F1':>7}{'样例':>6}")
    for name, s in report["entities"].items():
        lines.append(
            f"{name:<28}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}{s['support']:>6}"
        )
    if report["confusions"]:
        lines.append("")
        lines.append("最常混淆：")
        lines += [
            f"  {c['expected']} → {c['predicted']}：{c['count']}" for c in report["confusions"][:10]
        ]
    if report["errors"]:
        lines.append("")
        lines.append("错误样例（前 20 条）：")
        lines += [
            f"  [{e['expected']} → {e['predicted']} {e['confidence']:.2f}] {e['text']}"
            for e in report["errors"][:20]
        ]
    return "\n".join(lines)
