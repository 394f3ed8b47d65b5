"""The deadline form: which period, from which day → the last day, counted as the law says."""

from __future__ import annotations

import re
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


#: A question that wants the last day counted: "算算上诉期", "到哪天", "还来得及吗".
COUNT_WORDS = re.compile(
    r"算.{0,4}(期|日子|时间|天)|到哪天|哪天截止|最后一天|截止|截至|还来得及|来不来得及|"
    r"还能不能|还能.{0,6}吗|还可以.{0,6}吗|过没过|过了没|超没超|超过了没|几号之前|哪天之前|"
    r"什么时候之前|啥时候之前|几号前|过期了?吗"
)


#: "11月20号收到的判决书": the day a decision arrived, which starts the appeal period.
RECEIVED_DECISION = re.compile(
    r"(收到|拿到|领到|送达|寄到|签收).{0,8}(判决|裁定)|(判决|裁定).{0,8}(收到|拿到|领到|送达|寄到|签收)"
)


def asks_to_count(text: str) -> bool:
    return bool(COUNT_WORDS.search(text))


def names_kind(text: str) -> bool:
    """The text names the law or the document of a decision ("民事判决", "裁定")."""
    return _named(text, LAW_WORDS) is not None or _named(text, DOCUMENT_WORDS) is not None


def received_decision(text: str) -> bool:
    return bool(RECEIVED_DECISION.search(text))


def start(ctx: Context, procedure: str) -> Turn:
    ctx.state.topic = procedure  # "要带什么" afterwards is about this procedure
    ctx.state.start_form("deadline", procedure=procedure)
    return step(ctx)


#: Words that name the law of the decision, and the kind of document (first-instance
#: case types only: a 民终 judgment is final and has no appeal period).
LAW_WORDS: dict[str, tuple[str, ...]] = {
    # a divorce, a debt or wages can only be a civil case: "离婚的判决书" needs no question
    "民事": (
        "民事",
        "民初",
        "离婚",
        "抚养",
        "借钱",
        "借款",
        "欠钱",
        "欠款",
        "工资",
        "合同",
        "房租",
        "交通事故",
        "赔偿款",
        "劳动争议",
        "继承",
    ),
    "刑事": ("刑事", "刑初", "判刑", "刑期", "坐牢", "自诉"),
    "行政": ("行政", "行初", "民告官", "告政府"),
}
DOCUMENT_WORDS: dict[str, tuple[str, ...]] = {"判决": ("判决",), "裁定": ("裁定",)}
ASK_KIND = "请问是哪一种裁判文书？"


def _named(text: str, words: dict[str, tuple[str, ...]]) -> str | None:
    """The one key whose words occur in ``text``; None when none or several do."""
    found = {key for key, forms in words.items() if any(word in text for word in forms)}
    return found.pop() if len(found) == 1 else None


def _fill_kind(slots: dict[str, str], text: str) -> None:
    """What the text says about the decision (law, document) joins what was said before."""
    for slot, words in (("law", LAW_WORDS), ("document", DOCUMENT_WORDS)):
        if (named := _named(text, words)) is not None:
            slots[slot] = named
    for label, key in APPEAL_KINDS:
        if slots.get("law") == label[:2] and slots.get("document") == label[2:]:
            slots["kind"] = key


def _ask_kind(slots: dict[str, str], asked_before: bool) -> Reply:
    """Only the kinds that fit what is known: "民事判决还是民事裁定？"."""
    law, document = slots.get("law"), slots.get("document")
    fitting = [
        (label, key)
        for label, key in APPEAL_KINDS
        if law in (None, label[:2]) and document in (None, label[2:])
    ]
    if law is not None:
        question = f"请问是{law}判决，还是{law}裁定？"
    elif document is not None:
        question = f"请问是哪一种{document}：民事、刑事还是行政？"
    else:
        question = ASK_KIND
    lead = "没看懂是哪一种。" if asked_before else ""
    buttons = tuple(Button(label, payload("appeal", deadline_kind=key)) for label, key in fitting)
    return Reply(lead + question, buttons)


def step(ctx: Context) -> Turn:
    """Kind and date come from any message, in any order; only what is missing is asked."""
    slots = ctx.state.slots
    procedure = slots.get("procedure", "appeal")
    chosen = ctx.entity("deadline_kind")
    if isinstance(chosen, str):
        slots["kind"] = chosen
    elif not slots.get("kind"):
        fixed = KIND_OF_INTENT.get(procedure)
        if fixed is not None:
            slots["kind"] = fixed
        elif not ctx.is_payload:
            _fill_kind(slots, ctx.text)
    day = ctx.entity("date")
    if isinstance(day, str):
        slots["from"] = day

    if not slots.get("kind"):
        asked_before = ctx.state.requested == "kind"
        ctx.state.requested = "kind"
        words = (w for forms in (*LAW_WORDS.values(), *DOCUMENT_WORDS.values()) for w in forms)
        learned = isinstance(day, str) or any(word in ctx.text for word in words)
        reasked = asked_before and not learned
        return Turn([_ask_kind(slots, reasked)], reasked=reasked)
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
            ],
            reasked=asked_before,
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
    ctx.state.complete_form()
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
