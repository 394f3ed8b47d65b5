"""Interruptions: a form left for another question is offered back in one short line.

"等会 标的10万诉讼费多少" in the middle of a case look-up is answered, and the
look-up waits (``DialogState.paused``). When nothing else is open any more the
answer ends with "刚才的案件还要接着查吗？"; a yes (typed or pressed) continues
the form where it was, with its question asked again; a no, or anything else,
lets it go. The offer is made once: a litigant who moved on is not nagged.
A cancel drops the paused form too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from dialogs import yesno
from dialogs.payload import payload
from dialogs.replies import Button, Reply
from dialogs.state import DialogState
from dialogs.texts import ANYTHING_ELSE, MENU
from dialogs.turn import Context, Turn

#: What is offered back, per form.
OFFERS = {
    "fee": "刚才的诉讼费还要接着算吗？",
    "deadline": "刚才的期限还要接着算吗？",
    "case_status": "刚才的案件还要接着查吗？",
    "case_payment": "刚才的案款还要接着查吗？",
    "template": "刚才的示范文本还要接着找吗？",
}
RESUME = "resume"
#: Intents after which nothing is offered back.
LEAVING = frozenset({"goodbye"})
BUTTONS = (
    Button("接着办", payload("affirm", flow=RESUME)),
    Button("不用了", payload("deny", flow=RESUME)),
)
RESUMED = "好的。"
Step = Callable[[Context], Turn]


def pause(state: DialogState) -> None:
    """Keep the open form aside; the caller then answers the other question."""
    if state.form in OFFERS:
        state.paused = {
            "form": state.form,
            "slots": dict(state.slots),
            "requested": state.requested,
            "offered": False,
        }
    state.end_form()


def offer(state: DialogState, turn: Turn, intent: str | None = None) -> None:
    """Once nothing else is open, end the answer with the one-line offer (not after a
    goodbye: the litigant is leaving)."""
    paused = state.paused
    if paused is None or paused.get("offered") or state.form is not None:
        return
    if intent in LEAVING:
        state.paused = None
        return
    if turn.fallback == "first":
        return  # "您是想问 A 还是 B？" is asked alone; the offer follows its answer
    if turn.handoff is not None or turn.forget or not turn.replies:
        state.paused = None
        return
    paused["offered"] = True
    turn.replies.append(Reply(OFFERS[str(paused["form"])], BUTTONS))


def answer(ctx: Context, steps: Mapping[str, Step]) -> Turn | None:
    """The reply to the offer, or None when the message is about something else.

    Whatever the message, an offer made is settled by it: taken up, declined, or
    let go because the litigant went on to something new.
    """
    paused = ctx.state.paused
    if paused is None or not paused.get("offered") or ctx.state.form is not None:
        return None
    ctx.state.paused = None
    pressed = ctx.entity("flow") == RESUME
    typed = not ctx.is_payload
    if (pressed and ctx.intent == "affirm") or (typed and yesno.is_yes(ctx.text)):
        return resume(ctx, paused, steps)
    if (pressed and ctx.intent == "deny") or (typed and yesno.is_no(ctx.text)):
        return Turn([Reply(ANYTHING_ELSE, MENU)])
    return None


def resume(ctx: Context, paused: dict[str, object], steps: Mapping[str, Step]) -> Turn:
    """The form where it was, its pending question asked again."""
    form = str(paused["form"])
    slots = dict(paused.get("slots") or {})  # type: ignore[call-overload]
    slots.pop("proof_asked", None)  # a look-up asks its proof question afresh,
    if "case_number" in slots:
        slots["reused"] = True  # naming the case it continues with
    ctx.state.start_form(form, **slots)
    quiet = {"text": "", "intent": ctx.parse["intent"], "entities": [], "payload": "/resume"}
    turn = steps[form](replace(ctx, parse=quiet))
    turn.reasked = False
    if turn.replies:
        first = turn.replies[0]
        turn.replies[0] = replace(first, text=RESUMED + (first.text or ""))
    return turn
