"""Dispute paths: a litigant's problem → what comes first, which court, how long, what it costs.

"公司欠我三个月工资", "邻居家漏水把我家淹了", "闺女想离婚 男的老打她 咋整": the NLU hears
a civil filing or nothing at all; a guide at the window hears a dispute and names
its path (knowledge/data/disputes.yaml). Recognised from the case_category entity
and the entry's words, unless the message plainly asks for a procedure of its own
("离婚判决书丢了", "判了不给钱 申请执行", "借钱的起诉状模板"), which the usual flows answer.

The answer leaves ``DialogState.topic`` at ``dispute:<key>``, so "那要多久", "要交钱吗",
"在哪办", "要带啥", "有模板吗" afterwards are answered from the same entry
(dialogs.followups hands them here), and its buttons open the entry's details,
its model text (through the template flow, with the QR), the fee calculator with
the entry's fee kind, or the guide desk.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from dialogs.flows import fee, template
from dialogs.payload import payload
from dialogs.replies import Button, Reply
from dialogs.texts import HUMAN_BUTTON
from dialogs.turn import Context, Turn
from knowledge.disputes import Dispute, UnknownDispute, load_disputes, section_text, summary
from knowledge.fees import load_fee_schedule

#: ``DialogState.topic`` of a dispute answer, and the ``flow`` of its buttons.
PREFIX = "dispute:"
#: Detail buttons in the order a litigant needs them after the first message.
SECTION_BUTTONS = (
    ("materials", "要带什么材料"),
    ("steps", "先做什么"),
    ("deadlines", "期限"),
    ("where", "到哪里办"),
    ("notes", "注意事项"),
)
#: Aspects a section answers (dialogs.followups.asked_aspect); "template" is a flow.
SECTIONS = frozenset({"materials", "steps", "deadlines", "fees", "where", "notes"})
#: Words naming a procedure the litigant plainly asks about: the usual flows answer.
_PROCEDURE = re.compile(
    r"上诉|再审|申诉|申请执行|强制执行|执行费|执行款|案款|保全|案号|进度|查案|查询码|开庭|传票|"
    r"判决书|裁定书|调解书|退费|退钱|缓交|减交|免交|减免|预约|投诉|律师|法律援助|跨域|网上立案|"
    r"模板|范本|样本|样板|起诉状|起诉书|答辩状|示范文本|怎么写|咋写|公告送达|缺席|撤诉|小额诉讼"
)
#: Intents that, when the NLU is this sure, name a procedure of their own.
_OWN_INTENTS = frozenset(
    {
        "case_status",
        "case_payment",
        "appeal",
        "retrial_application",
        "enforcement_application",
        "property_preservation",
        "fee_refund",
        "fee_relief",
        "appointment",
        "complaint",
        "legal_aid",
        "lawyer_services",
        "document_service",
        "pleading_template",
        "judgment_question",
        "file_cross_region",
    }
)
SURE = 0.85
#: The litigant is the one sued: the answer adds the defence period.
_SUED = re.compile(r"被告了|被起诉|起诉我|告我|把我告|被人告|被他告|被物业告|收到传票")
#: A follow-up of its own words ("告他要交钱吗") is at most this long (cleaned).
LONG = 24
#: A fee asked in words the follow-up cues miss ("起诉费多少").
_FEE_ASKED = re.compile(r"费.{0,3}多少|多少钱|交多少|几个钱")
#: "多少" or an amount: the figure from the calculator; "要交钱吗": the fee section.
_FIGURE = re.compile(r"多少|几个钱|算一下|算算")
NO_TEMPLATE = (
    "这类纠纷在67类示范文本里没有专门的起诉状。起诉状写明双方的基本情况、诉讼请求、"
    "事实和理由、证据和证据来源就可以（民事诉讼法第一百二十四条），"
    "不会写的可以请法院诉讼服务中心的工作人员辅导。"
)


def topic(key: str) -> str:
    return PREFIX + key


def topic_dispute(value: str | None) -> Dispute | None:
    """The dispute a ``DialogState.topic`` names, if it names one."""
    if not value or not value.startswith(PREFIX):
        return None
    try:
        return load_disputes().get(value[len(PREFIX) :])
    except UnknownDispute:
        return None


def step(ctx: Context) -> Turn | None:
    """The engine's hook: the dispute path the message describes, or None (route as usual)."""
    from dialogs.followups import asked_aspect  # followups hands topics here: no cycle

    if ctx.is_payload:
        return _pressed(ctx)
    if ctx.state.form is not None or _PROCEDURE.search(ctx.text):
        return None
    if ctx.intent in _OWN_INTENTS and ctx.confidence >= SURE:
        return None
    category = ctx.entity("case_category")
    found = load_disputes().match(ctx.text, category if isinstance(category, str) else None)
    aspect = asked_aspect(ctx.text)
    current = topic_dispute(ctx.state.topic)
    if found is None:
        # "告他要交钱吗" right after a dispute path: its own words, the same dispute
        if current is not None and aspect is not None and _short(ctx.text):
            return follow_up(ctx, current, aspect)
        return None
    if aspect == "template":
        return None  # the template flow knows the dispute from the case category
    fee_asked = aspect == "fees" or bool(_FEE_ASKED.search(ctx.text))
    if fee_asked and (ctx.entity("amount") is not None or ctx.intent == "fee_calculation"):
        return None  # "欠条上写的是叁万元整 起诉费多少": the fee form computes the figure
    dispute = found.dispute
    if current is not None and current.key == dispute.key and aspect is not None:
        return follow_up(ctx, dispute, aspect)
    return answer(ctx, dispute, "materials" if aspect == "materials" else None)


def follow_up(ctx: Context, dispute: Dispute, aspect: str | None) -> Turn:
    """ "那要多久", "要交钱吗", "在哪办", "要带啥", "有模板吗" about the dispute last explained."""
    if aspect == "template":
        return templates(ctx, dispute)
    if aspect == "fees" and dispute.fee.kind is not None and _wants_figure(ctx):
        return _calculate(ctx, dispute)
    if aspect in SECTIONS:
        return answer(ctx, dispute, aspect)
    return answer(ctx, dispute)


def answer(ctx: Context, dispute: Dispute, section: str | None = None) -> Turn:
    """The first message (≤ 300 characters + the disclaimer), or one detail section."""
    book = load_disputes()
    state = ctx.state
    state.topic = topic(dispute.key)
    state.facts["dispute"] = dispute.title  # shown at the desk on a handoff
    amount = _amount(ctx)
    if section is not None:
        text = section_text(dispute, section, amount)
        if text is not None:
            return Turn([Reply(text, tuple(buttons(dispute, shown=section)))])
    sued = book.defendant if _SUED.search(ctx.text) and not ctx.is_payload else None
    first = summary(dispute, amount, defendant=sued, schedule=load_fee_schedule())
    return Turn([Reply(f"{first}\n\n※ {book.disclaimer}", tuple(buttons(dispute)))])


def buttons(dispute: Dispute, shown: str | None = None, limit: int = 4) -> list[Button]:
    """Details of the entry, its model text, the fee calculator with its kind, the desk;
    without the section shown right now."""
    found: list[Button] = []
    for key, title in SECTION_BUTTONS:
        if key == "materials":
            if shown != "materials":
                found.append(Button(title, _payload(dispute, key)))
            if dispute.template_numbers:
                found.append(Button("示范文本", _payload(dispute, "template")))
            if dispute.fee.kind is not None:
                found.append(
                    Button("算费用", payload("fee_calculation", fee_kind=dispute.fee.kind))
                )
            elif shown != "fees":
                found.append(Button("费用", _payload(dispute, "fees")))
        elif key != shown and (key != "notes" or dispute.section("notes") is not None):
            found.append(Button(title, _payload(dispute, key)))
    return [*found[:limit], HUMAN_BUTTON]


def templates(ctx: Context, dispute: Dispute) -> Turn:
    """The entry's model text with its QR (the template flow), a choice of several, or
    how to write a complaint when none of the 67 fits."""
    state = ctx.state
    numbers = dispute.template_numbers
    if not numbers:
        state.topic = topic(dispute.key)
        return Turn([Reply(NO_TEMPLATE, tuple(buttons(dispute)))])
    catalogue = ctx.kb.model_texts
    if len(numbers) == 1:
        entities: list[dict[str, Any]] = [{"entity": "template", "value": numbers[0]}]
        return template.start(replace(ctx, parse={**ctx.parse, "entities": entities}))
    first = catalogue.by_number(numbers[0])
    group = first.group if first is not None else None
    if group is not None and all(
        (t := catalogue.by_number(n)) is not None and t.group == group for n in numbers
    ):
        size = len([t for t in catalogue.all() if t.group == group])
        if size == len(numbers):
            return template.ask_group(ctx, group)  # 行政: the 11 kinds of act
    chosen = [t for n in numbers if (t := catalogue.by_number(n)) is not None]
    state.topic = topic(dispute.key)
    options = tuple(Button(t.name, payload("pleading_template", template=t.number)) for t in chosen)
    names = "".join(f"《{t.name}》" for t in chosen)
    return Turn([Reply(f"这类纠纷有{names}示范文本，请问要哪一种？", (*options, HUMAN_BUTTON))])


def _pressed(ctx: Context) -> Turn | None:
    flow = ctx.entity("flow")
    if not isinstance(flow, str) or not flow.startswith(PREFIX):
        return None
    dispute = topic_dispute(flow)
    if dispute is None:
        return None
    section = ctx.entity("section")
    if section == "template":
        return templates(ctx, dispute)
    return answer(ctx, dispute, section if section in SECTIONS else None)


def _calculate(ctx: Context, dispute: Dispute) -> Turn:
    """The fee form with the entry's kind and the amount said now or earlier."""
    entities = [e for e in ctx.parse.get("entities", []) if e.get("entity") != "fee_kind"]
    entities.append({"entity": "fee_kind", "value": dispute.fee.kind})
    if not any(e.get("entity") == "amount" for e in entities) and "amount" in ctx.state.facts:
        entities.append({"entity": "amount", "value": ctx.state.facts["amount"]})
    return fee.start(replace(ctx, parse={**ctx.parse, "entities": entities}))


def _payload(dispute: Dispute, section: str) -> str:
    return payload("file_civil_case", flow=topic(dispute.key), section=section)


def _wants_figure(ctx: Context) -> bool:
    return ctx.entity("amount") is not None or bool(_FIGURE.search(ctx.text))


def _amount(ctx: Context) -> Decimal | None:
    value = ctx.entity("amount") or ctx.state.facts.get("amount")
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _short(text: str) -> bool:
    return len(re.sub(r"[\W_]", "", text)) <= LONG
