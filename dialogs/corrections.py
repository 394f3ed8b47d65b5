"""Corrections after an answer: "不对 是6万", "说错了，是10月3号", "应该是裁定".

A guide at the window who hears "不对" does the sum again with the corrected
figure; so do we. When a fee or deadline form has just been answered, the
state keeps that task (``DialogState.done``). A message that says it corrects
("不对", "说错了", "应该是", "不是8万是6万" …) and carries a new value for that
task re-opens it with the new value in place of the old one, and the form
answers again. Anything else leaves the finished task alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from dialogs.flows import deadline, fee
from dialogs.replies import Reply
from dialogs.turn import Context, Turn

#: Words that say the message corrects what was said before.
CORRECTION = re.compile(
    r"不对|不是|说错|错了|搞错|弄错|写错|打错|应该是|应是|改成|改为|更正|重新算"
)
#: A message that only says something was wrong, without the right value.
_BARE = re.compile(
    r"^(好像|你|您|这)?(算)?(不对|错了|说错了|搞错了|弄错了|算错了)[吧啊呀了的!！。.，,\s]*$"
)
#: What a bare "不对" is asked back, per form: the finished task stays ready for the value.
ASK_WHAT = {
    "fee": "哪里不对？请告诉我正确的金额或案件类型（比如“是6万”“是离婚案件”），我重新算一遍。",
    "deadline": (
        "哪里不对？请告诉我正确的日期（比如“是11月25号收到的”），"
        "或是哪一种文书（比如“应该是裁定”），我重新算一遍。"
    ),
}
#: A value right after one of these is the wrong one ("不是8万是6万").
_NEGATED = re.compile(r"(不是|而不是|并非)\s*$")
#: Forms whose answer can be corrected, and the slot each entity of the message replaces.
REPLACES: Mapping[str, Mapping[str, str]] = {
    "fee": {"amount": "amount", "fee_kind": "kind", "case_category": "kind"},
    "deadline": {"date": "from", "deadline_kind": "kind"},
}
Step = Callable[[Context], Turn]
#: ``DialogState.requested`` while "哪里不对？" waits for the right value.
ASKED = "correction"


#: "那离婚呢", "要是10万呢", "那裁定的话": the same question about another value.
_WHAT_ABOUT = re.compile(
    r"^(那|那么|要是|如果|假如|换成|那要是|那如果)\S{1,14}?(呢|的话)?[?？。!！\s]*$|^\S{1,14}呢[?？。\s]*$"
)


def is_correction(text: str) -> bool:
    return bool(CORRECTION.search(text))


def asks_what_about(text: str) -> bool:
    return bool(_WHAT_ABOUT.match(text.strip()))


def reopen(ctx: Context, steps: Mapping[str, Step]) -> Turn | None:
    """The re-answered task when the message corrects the one just answered, else None."""
    done = ctx.state.done
    asked = ctx.state.requested == ASKED  # the last answer was "哪里不对？"
    if asked:
        ctx.state.requested = None
    if not done or not (asked or is_correction(ctx.text) or asks_what_about(ctx.text)):
        return None
    form = str(done.get("form"))
    if form not in REPLACES or form not in steps:
        return None
    ctx = replace(ctx, parse={**ctx.parse, "entities": _affirmed(ctx)})
    replaced = {
        REPLACES[form][name]
        for e in ctx.parse["entities"]
        if (name := str(e.get("entity"))) in REPLACES[form]
    }
    slots = dict(done.get("slots") or {})
    if form == "deadline" and _names_document(ctx.text):
        slots.update(_law_and_document(str(slots.get("kind", ""))))
        replaced.add("kind")
    if form == "fee" and fee.named_kind(ctx.text) is not None:
        replaced.add("kind")  # "那申请执行呢"
    if not replaced:
        if _BARE.match(ctx.text.strip()):
            ctx.state.requested = ASKED
            return Turn([Reply(ASK_WHAT[form])])
        return None
    if form == "fee" and "kind" in replaced and not _amount_based(ctx):
        replaced.add("amount")  # 8万 of a loan is not a divorce's property to divide
    for slot in replaced:
        slots.pop(slot, None)
    ctx.state.start_form(form, **slots)
    ctx.state.done = None
    return steps[form](ctx)


def _amount_based(ctx: Context) -> bool:
    """The corrected fee kind is reckoned on an amount (the old amount may still be meant)."""
    kind = fee.infer_kind(ctx)
    return kind in fee.ASKS_AMOUNT


def _affirmed(ctx: Context) -> list[dict[str, Any]]:
    """The message's entities without those it denies: of "不是8万是6万", only 6万."""
    kept = []
    for entity in ctx.parse.get("entities", []):
        start = entity.get("start")
        if isinstance(start, int) and _NEGATED.search(ctx.text[:start]):
            continue
        kept.append(entity)
    return kept


def _names_document(text: str) -> bool:
    words = (w for forms in (*deadline.LAW_WORDS.values(), *deadline.DOCUMENT_WORDS.values())
             for w in forms)  # fmt: skip
    return any(word in text for word in words)


def _law_and_document(kind: str) -> dict[str, str]:
    """What the answered kind said (民事 + 判决), so "应该是裁定" keeps the 民事."""
    for label, key in deadline.APPEAL_KINDS:
        if key == kind:
            return {"law": label[:2], "document": label[2:]}
    return {}
