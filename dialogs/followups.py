"""Elliptical follow-ups read against the last topic: "那要多久", "要交钱吗", "在哪办", "有模板吗".

A guide who has just explained an administrative suit hears "那过了多久就告不了了"
as a question about that suit's time limit. The classifier, seeing the words
alone, guesses cancel or deny. So before the fallback, a short message that asks
about one aspect (time, money, place, papers, steps, model text) and names no
matter of its own is answered from the procedure last explained
(``DialogState.topic``): its section, or its calculator when the message gives
an amount or date, with what the litigant said earlier (``DialogState.facts``).
"""

from __future__ import annotations

import re
from dataclasses import replace

from dialogs import choices
from dialogs.flows import answer, deadline, dispute, fee, template
from dialogs.turn import Context, Turn
from knowledge.procedures import ProcedureLookupError

#: What the message asks about, first match wins (模板 before 怎么写-as-steps).
CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("template", re.compile(r"模板|范本|样本|样板|格式|示范文本|范文|怎么写|咋写|如何写")),
    (
        "fees",
        re.compile(
            r"交钱|要钱|花钱|收钱|收费|费用|多少钱|几个钱|交多少|花多少|贵不贵|免费|"
            r"诉讼费|上诉费|执行费|保全费|手续费|受理费|申请费|交费|缴费"
        ),
    ),
    (
        "deadlines",
        re.compile(
            r"多久|多长时间|多少天|几天|几个月|多少时间|期限|时效|来得及|来不及|过期|晚了|截止|"
            r"最晚|告不了|不能告|超过.{0,4}[天月年]|时间限制|时候之前|有效期"
        ),
    ),
    ("where", re.compile(r"在哪|去哪|哪里|哪儿|哪个法院|哪家法院|到哪|地址|什么地方|啥地方|找谁")),
    (
        "materials",
        re.compile(r"带啥|带什么|带哪些|材料|准备啥|准备什么|准备哪些|要啥|需要啥|证件|手续"),
    ),
    (
        "steps",
        re.compile(r"怎么办|怎么弄|怎么操作|怎么走|流程|步骤|咋办|咋弄|咋整|怎么申请|怎么搞"),
    ),
)
#: How or where to pay ("在哪交", "咋交钱"): the fee-payment answer, whatever the topic.
_PAYING = re.compile(r"(怎么|咋|如何|在哪|哪里|哪儿|去哪|到哪)儿?(交|缴|付)")
#: Words that name a matter of their own: such a message is routed on its own words.
_OWN_MATTER = re.compile(
    r"立案|起诉|告他|告她|告人|打官司|上诉|再审|申诉|执行|保全|案款|退费|退钱|缓交|减交|免交|减免|"
    r"调解|援助|律师|预约|投诉|离婚|借|欠|工资|工钱|事故|房租|合同|赔偿|自诉|行政|政府|支付令|交不起|没钱|"
    r"仲裁|案子|案件|进度|开庭|判决|裁定|传票|诉讼服务|导诉"
)
#: The start of an elliptical question: "那要多久", "还得交钱吗".
_ELLIPSIS = re.compile(r"^(那么|那|还要|还得|还|这个|这|那这个|要|得|需要|大概|一般)")
#: Words that say a date is when something arrived or was decided.
_RECEIVED = re.compile(r"收到|拿到|领到|送达|签收|寄到|送来|判的|宣判|生效")
#: Below this the classifier's own guess does not outweigh the last topic.
SWITCH = 0.60
#: At most this long (cleaned) without an ellipsis mark: "要交钱吗", "在哪办".
SHORT = 10
#: Longer than this is a question of its own, whatever its first word.
LONG = 24
#: Intents the classifier gives such a message that do not name another matter.
_VAGUE = frozenset(
    {"affirm", "deny", "cancel", "goodbye", "greet", "thanks", "help", "out_of_scope"}
)
#: The model texts of the topic when the conversation named no dispute: a field to
#: choose from (dialogs.flows.template.ask_group) or the words of the one text.
TEMPLATE_GROUPS = {"file_administrative_case": "C", "file_criminal_private": "D"}
TEMPLATE_WORDS = {"enforcement_application": "申请执行", "case_payment": "申请执行"}


def asked_aspect(text: str) -> str | None:
    """The one aspect the message asks about, or None."""
    for aspect, cue in CUES:
        if cue.search(text):
            return aspect
    return None


def asked_section(text: str) -> str | None:
    """The procedure section the message asks about ("上诉费怎么交" → fees), if one."""
    aspect = asked_aspect(text)
    return None if aspect == "template" else aspect


def is_follow_up(ctx: Context) -> bool:
    """A short question about one aspect, naming no matter of its own."""
    if ctx.state.topic is None or ctx.is_payload or ctx.state.form is not None:
        return False
    text = ctx.text
    clean = choices.clean(text)
    if not clean or len(clean) > LONG or _OWN_MATTER.search(text):
        return False
    category = ctx.entity("case_category")
    if category is not None and category != ctx.state.facts.get("case_category"):
        return False
    if asked_aspect(text) is None and not _PAYING.search(text):
        return False
    return bool(_ELLIPSIS.match(clean)) or len(clean) <= SHORT or ctx.intent in _VAGUE


def follow_up(ctx: Context) -> Turn | None:
    """The answer about the last topic, or None when the message is not a follow-up."""
    if _counts_from(ctx) or _names_decision(ctx):
        return deadline.start(ctx, str(ctx.state.topic))  # "11月28号收到的", "民事判决"
    if _another_template(ctx):
        return template.start(ctx)  # "借钱的" right after a model text
    if not is_follow_up(ctx):
        return None
    topic = str(ctx.state.topic)
    aspect = asked_aspect(ctx.text)
    if _PAYING.search(ctx.text):
        return answer.answer(ctx, "fee_payment", "where" if "哪" in ctx.text else "steps")
    if (path := dispute.topic_dispute(topic)) is not None:
        return dispute.follow_up(ctx, path, aspect)  # after a dispute path (issue 15)
    if aspect == "template":
        return _template(ctx, topic)
    if aspect == "fees" and topic in answer.FEE_CALCULATORS and _wants_figure(ctx):
        return fee.start(replace(ctx, parse=_with_facts(ctx, "amount")))
    if aspect == "deadlines" and topic in deadline.NEXT_STEPS and ctx.entity("date"):
        return deadline.start(ctx, topic)
    if aspect not in _sections(ctx, topic):
        return None  # "十万的诉讼费多少" after 案款: not that page's business; routed as asked
    return answer.answer(ctx, topic, aspect)


def _sections(ctx: Context, topic: str) -> tuple[str, ...]:
    try:
        return ctx.kb.procedures.get(topic).section_keys
    except ProcedureLookupError:
        return ()


def _counts_from(ctx: Context) -> bool:
    """A date with nothing else of its own, right after a procedure with a time limit."""
    if ctx.state.topic not in deadline.NEXT_STEPS or ctx.state.form is not None:
        return False
    if ctx.is_payload or not isinstance(ctx.entity("date"), str):
        return False
    if _RECEIVED.search(ctx.text):
        return True  # "20号收到的": the day a period starts, whatever the NLU guessed
    return ctx.intent in _VAGUE or ctx.confidence < SWITCH or ctx.intent == ctx.state.topic


def _names_decision(ctx: Context) -> bool:
    """Only the kind of decision ("民事判决", "行政的裁定") right after an appeal answer."""
    if ctx.state.topic != "appeal" or ctx.state.form is not None or ctx.is_payload:
        return False
    clean = choices.clean(ctx.text)
    return (
        len(clean) <= SHORT
        and deadline.names_kind(ctx.text)
        and (ctx.intent in _VAGUE or ctx.confidence < SWITCH or ctx.intent == "appeal")
    )


def _another_template(ctx: Context) -> bool:
    """Only a dispute ("借钱的", "那离婚的呢") right after a model text was sent."""
    done = ctx.state.done or {}
    if done.get("form") != template.FORM or ctx.state.form is not None or ctx.is_payload:
        return False
    named = ctx.entity("case_category") is not None or ctx.entity("template") is not None
    if not named and not ctx.kb.model_texts.match(ctx.text, limit=1):
        return False
    return len(choices.clean(ctx.text)) <= SHORT and (
        ctx.intent in _VAGUE or ctx.confidence < SWITCH or ctx.intent == "pleading_template"
    )


def _wants_figure(ctx: Context) -> bool:
    """ "要交多少钱", "8万交多少": a figure; "要交钱吗": whether, from the fee section."""
    return (
        ctx.entity("amount") is not None
        or "amount" in ctx.state.facts
        or ctx.state.facts.get("case_category") in fee.KIND_OF_CATEGORY  # 离婚: 50–300元
        or "多少" in ctx.text
        or "几个钱" in ctx.text
    )


def _with_facts(ctx: Context, *names: str) -> dict[str, object]:
    """The parse with the facts said earlier added as entities it lacks."""
    entities = list(ctx.parse.get("entities", []))
    have = {e.get("entity") for e in entities}
    for name in names:
        if name not in have and name in ctx.state.facts:
            entities.append({"entity": name, "value": ctx.state.facts[name]})
    return {**ctx.parse, "entities": entities}


def _template(ctx: Context, topic: str) -> Turn:
    """The model text of the last topic, or of the dispute the litigant named earlier."""
    parse = _with_facts(ctx, "case_category")
    named = ctx.entity("case_category") is not None or "case_category" in ctx.state.facts
    if not named and topic in TEMPLATE_GROUPS:
        return template.ask_group(ctx, TEMPLATE_GROUPS[topic])
    if not named and topic in TEMPLATE_WORDS:
        parse = {**parse, "text": TEMPLATE_WORDS[topic]}
    return template.start(replace(ctx, parse=parse))
