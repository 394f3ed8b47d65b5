"""The fee form: case kind and amount in, the schedule's figure and its steps out."""

from __future__ import annotations

from decimal import Decimal

from dialogs.payload import payload
from dialogs.replies import Button, Reply
from dialogs.texts import HUMAN_BUTTON
from dialogs.turn import Context, Turn
from knowledge.fees import FeeError, FeeResult, calculate_fee, yuan

KIND_BUTTONS = (
    Button("借款、合同等要钱的纠纷", payload("fee_calculation", fee_kind="property")),
    Button("离婚", payload("fee_calculation", fee_kind="divorce")),
    Button("劳动争议", payload("fee_calculation", fee_kind="labor")),
    Button("申请执行", payload("fee_calculation", fee_kind="enforcement")),
    Button("财产保全", payload("fee_calculation", fee_kind="preservation")),
    Button("其他非财产案件", payload("fee_calculation", fee_kind="other_non_property")),
)
#: Words in the message that name the fee's kind, most specific first.
KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("enforcement", ("执行费", "申请执行", "强制执行", "执行申请费", "执行标的", "执行金额")),
    ("preservation", ("保全",)),
    ("payment_order", ("支付令",)),
    ("public_notice", ("公示催告",)),
    ("divorce", ("离婚",)),
    ("labor", ("劳动争议", "劳动仲裁", "工资", "工钱", "辞退")),
    ("personality_rights", ("名誉", "肖像", "人格权", "隐私")),
    ("ip", ("商标", "专利", "著作权", "知识产权", "版权")),
    ("administrative", ("行政", "告政府", "民告官")),
    ("jurisdiction_objection", ("管辖权异议",)),
    ("property", ("上诉费", "借", "欠", "货款", "合同", "赔偿", "工程款", "房租")),
)
#: Words of a suit's own fee: the topic's application fee is not meant.
SUIT_WORDS = ("诉讼费", "受理费", "起诉", "打官司", "告")
#: The fee a question means when it names none but follows an answer about this procedure
#: ("执行标的8万" after how to apply for enforcement).
KIND_OF_TOPIC = {
    "appeal": "first_instance",  # the fee of the first instance's kind (办法第十七条)
    "enforcement_application": "enforcement",
    "case_payment": "enforcement",
    "property_preservation": "preservation",
}
#: The procedure a fee belongs to: what "那要多久", "要带啥" afterwards are about.
TOPIC_OF_KIND = {
    "property": "file_civil_case",
    "divorce": "file_civil_case",
    "labor": "file_civil_case",
    "personality_rights": "file_civil_case",
    "ip": "file_civil_case",
    "other_non_property": "file_civil_case",
    "administrative": "file_administrative_case",
    "enforcement": "enforcement_application",
    "preservation": "property_preservation",
}
FIRST_INSTANCE = "first_instance"
APPEAL_WORD = "上诉"
#: The fee of a dispute the litigant named earlier in the conversation.
KIND_OF_CATEGORY = {"离婚纠纷": "divorce", "劳动争议纠纷": "labor"}
#: Kinds whose fee cannot be computed without an amount.
NEEDS_AMOUNT = {"property", "payment_order", "bankruptcy"}
#: Kinds whose fee depends on an amount when there is one (ask once, accept "没有").
ASKS_AMOUNT = NEEDS_AMOUNT | {"enforcement", "preservation"}
ASK_AMOUNT = "请问金额是多少？（比如 5万、12万3千、80000元）"
#: The appeal fee is reckoned on what the appeal asks for, not on the whole first claim.
ASK_APPEAL_AMOUNT = (
    "上诉费按不服一审判决部分的上诉请求金额计算。请问这个金额是多少？（比如 5万、80000元）"
)


def named_kind(text: str) -> str | None:
    """The fee kind the words of the message name ("离婚", "申请执行", "借"), if any."""
    for kind, words in KIND_WORDS:
        if any(word in text for word in words):
            return kind
    return None


def infer_kind(ctx: Context) -> str | None:
    explicit = ctx.entity("fee_kind")
    if isinstance(explicit, str) and explicit in ctx.kb.fees.kinds:
        return explicit
    text = ctx.text
    if (named := named_kind(text)) is not None:
        return named
    category = ctx.entity("case_category")
    if isinstance(category, str) and category in KIND_OF_CATEGORY:
        return KIND_OF_CATEGORY[category]
    if category is not None:
        return "property"
    if ctx.is_payload:
        return None
    topic = KIND_OF_TOPIC.get(ctx.state.topic or "")
    earlier = ctx.state.facts.get("case_category")
    if topic == FIRST_INSTANCE:
        return KIND_OF_CATEGORY.get(str(earlier), "property")
    if topic is not None and not any(word in text for word in SUIT_WORDS):
        return topic
    if isinstance(earlier, str) and earlier in KIND_OF_CATEGORY:
        return KIND_OF_CATEGORY[earlier]
    if ctx.entity("amount") is not None or "标的" in text or earlier is not None:
        return "property"
    return None


def start(ctx: Context) -> Turn:
    ctx.state.start_form("fee")
    return step(ctx)


def step(ctx: Context) -> Turn:
    """Fill what this message offers, ask for what is missing, answer when complete."""
    slots = ctx.state.slots
    if not ctx.is_payload and (APPEAL_WORD in ctx.text or ctx.state.topic == "appeal"):
        slots["appeal"] = True  # the second instance: no 简易程序 halving
    kind = infer_kind(ctx)
    if kind is not None and (slots.get("kind") is None or ctx.entity("fee_kind")):
        slots["kind"] = kind
    amount = ctx.entity("amount")
    if amount is not None:
        slots["amount"] = str(amount)
    elif ctx.state.requested == "amount" and ctx.intent == "deny":
        slots["amount"] = "none"

    if slots.get("kind") is None:
        reasked = ctx.state.requested == "kind"
        ctx.state.requested = "kind"
        return Turn([Reply("请问是哪一类案件或申请？", KIND_BUTTONS)], reasked=reasked)
    if slots["kind"] in ASKS_AMOUNT and "amount" not in slots:
        reasked = ctx.state.requested == "amount"
        ctx.state.requested = "amount"
        hint = "" if slots["kind"] in NEEDS_AMOUNT else "没有具体金额的，请回复“没有”。"
        ask = ASK_APPEAL_AMOUNT if slots.get("appeal") else ASK_AMOUNT
        return Turn([Reply(ask + hint)], reasked=reasked)
    return finish(ctx)


def finish(ctx: Context) -> Turn:
    slots = ctx.state.slots
    amount = None if slots.get("amount") in (None, "none") else Decimal(slots["amount"])
    try:
        result = calculate_fee(slots["kind"], amount, schedule=ctx.kb.fees)
    except FeeError as exc:
        ctx.state.requested = "amount"
        slots.pop("amount", None)
        return Turn([Reply(f"{exc}。{ASK_AMOUNT}")])
    appealed = bool(slots.get("appeal"))
    ctx.state.complete_form()
    if not appealed:  # an appeal fee leaves the appeal the topic: "3万" next is its fee
        ctx.state.topic = TOPIC_OF_KIND.get(result.kind, ctx.state.topic)  # "那要多久能判下来"
    buttons = (
        Button("怎么交费", payload("fee_payment")),
        Button("交不起能减免吗", payload("fee_relief")),
        HUMAN_BUTTON,
    )
    return Turn([Reply(describe(result, ctx, appeal=appealed), buttons)])


def describe(result: FeeResult, ctx: Context, *, appeal: bool = False) -> str:
    """The figure, its steps and the halved figure; for an appeal (办法第十七条) the
    appeal's wording and no 简易程序 halving, which the second instance never has."""
    figure = _shown(result)
    amount = "" if result.amount is None else yuan(result.amount)
    if appeal:
        basis = f"、上诉请求金额{amount}" if amount else ""
        head = f"上诉费：{figure}（按{result.kind_name}的标准{basis}计算）"
    else:
        head = f"{result.kind_name}：{figure}" + (f"（按{amount}计算）" if amount else "")
    lines = [head, "计算过程：", *[step.strip() for step in result.steps]]
    kind = ctx.kb.fees.kinds[result.kind]
    if kind.basis == "case" and not result.halved:
        if appeal:
            half = calculate_fee(
                result.kind, result.amount, closure="mediation", schedule=ctx.kb.fees
            )
            lines.append(f"二审以调解、撤诉结案的，减半交纳：{_shown(half)}。")
        else:
            half = calculate_fee(
                result.kind, result.amount, procedure="simplified", schedule=ctx.kb.fees
            )
            lines.append(
                f"如适用简易程序（含小额诉讼），或以调解、撤诉结案，减半交纳：{_shown(half)}。"
            )
    lines += result.notes
    lines.append("以上按《诉讼费用交纳办法》计算，实际以法院的缴费通知为准。")
    return "\n".join(lines)


def _shown(result: FeeResult) -> str:
    if result.min is None:
        return yuan(result.fee)
    return f"{yuan(result.min)}至{yuan(result.max or result.fee)}"
