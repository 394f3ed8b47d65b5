"""The deadline form: which period, from which day → the last day, counted as the law says."""

from __future__ import annotations

from datetime import date

from dialogs.payload import payload
from dialogs.replies import Button, Reply
from dialogs.texts import HUMAN_BUTTON
from dialogs.turn import Context, Turn
from knowledge.calendar import weekday_zh
from knowledge.deadlines import DeadlineError, compute_deadline, get_kind

APPEAL_KINDS = (
    ("民事判决", "appeal_civil_judgment"),
    ("民事裁定", "appeal_civil_ruling"),
    ("刑事判决", "appeal_criminal_judgment"),
    ("刑事裁定", "appeal_criminal_ruling"),
    ("行政判决", "appeal_administrative_judgment"),
    ("行政裁定", "appeal_administrative_ruling"),
)
#: The one period each procedure's calculator means; appeal asks which of six.
KIND_OF_INTENT = {
    "retrial_application": "retrial_civil",
    "enforcement_application": "enforcement_application",
    "property_preservation": "preservation_suit",
}
#: Follow-up buttons once the last day is known.
NEXT_STEPS = {
    "appeal": Button("上诉要准备什么", payload("appeal", section="materials")),
    "retrial_application": Button(
        "再审要准备什么", payload("retrial_application", section="materials")
    ),
    "enforcement_application": Button(
        "申请执行要准备什么", payload("enforcement_application", section="materials")
    ),
    "property_preservation": Button(
        "保全要准备什么", payload("property_preservation", section="materials")
    ),
}


def start(ctx: Context, procedure: str) -> Turn:
    ctx.state.start_form("deadline", procedure=procedure)
    return step(ctx)


def _kind_from_text(text: str) -> str | None:
    for label, key in APPEAL_KINDS:
        law, document = label[:2], label[2:]
        if law in text and document in text:
            return key
    return None


def step(ctx: Context) -> Turn:
    slots = ctx.state.slots
    procedure = slots.get("procedure", "appeal")
    chosen = ctx.entity("deadline_kind")
    if isinstance(chosen, str):
        slots["kind"] = chosen
    elif "kind" not in slots:
        slots["kind"] = KIND_OF_INTENT.get(procedure) or _kind_from_text(ctx.text)
    day = ctx.entity("date")
    if isinstance(day, str):
        slots["from"] = day

    if not slots.get("kind"):
        ctx.state.requested = "kind"
        buttons = tuple(
            Button(label, payload("appeal", deadline_kind=key)) for label, key in APPEAL_KINDS
        )
        return Turn([Reply("请问是哪一种裁判文书？", buttons)])
    kind = get_kind(slots["kind"])
    if "from" not in slots:
        asked_before = ctx.state.requested == "from"
        ctx.state.requested = "from"
        lead = "没看懂这个日期。" if asked_before else ""
        return Turn(
            [
                Reply(
                    f"{lead}请告诉我{kind.from_means}是哪天？"
                    "比如 2026年11月20日、11月20号、上周五。"
                )
            ]
        )
    return finish(ctx)


def finish(ctx: Context) -> Turn:
    slots = ctx.state.slots
    start_day = date.fromisoformat(slots["from"])
    if start_day > ctx.now.date():
        slots.pop("from")
        ctx.state.requested = "from"
        return Turn([Reply("这个日期还没到，请核对后再告诉我一次日期。")])
    try:
        result = compute_deadline(slots["kind"], start_day, ctx.kb.calendar)
    except DeadlineError as exc:
        slots.pop("from")
        return Turn([Reply(f"{exc} 请重新告诉我日期。")])
    procedure = slots.get("procedure", "appeal")
    ctx.state.end_form()
    lines = [
        f"{result.title}：自 {result.from_date.isoformat()} 的次日起算，"
        f"最后一天是 {result.last_day.isoformat()}（{weekday_zh(result.last_day)}）。"
    ]
    if result.moved and result.moved_reason:
        lines.append(result.moved_reason)
    if result.last_day < ctx.now.date():
        lines.append("按这个日期计算，期限已经过了。如有不可抗力等特殊情况，请向法院咨询。")
    lines.append(f"依据：{result.rule}")
    lines += [note for note in result.notes[:2]]
    buttons = tuple(b for b in (NEXT_STEPS.get(procedure), HUMAN_BUTTON) if b is not None)
    return Turn([Reply("\n".join(lines), buttons)])
