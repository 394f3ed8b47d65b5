"""Procedure answers: a short first message, then details on request."""

from __future__ import annotations

from dialogs.payload import payload
from dialogs.replies import Button, Reply
from dialogs.texts import HUMAN_BUTTON
from dialogs.turn import Context, Turn
from knowledge.procedures import Procedure, ProcedureLookupError, render

#: Detail buttons in the order litigants need them (issue: 详细材料 / 期限 / 费用 / 转人工).
SECTION_BUTTONS = (
    ("materials", "详细材料"),
    ("deadlines", "期限"),
    ("fees", "费用"),
    ("steps", "办理流程"),
    ("where", "到哪里办"),
    ("notes", "注意事项"),
)
#: Intents whose 期限 / 费用 buttons open a calculator instead of a static list.
DEADLINE_CALCULATORS = {
    "appeal",
    "retrial_application",
    "enforcement_application",
    "property_preservation",
}
FEE_CALCULATORS = {
    "file_civil_case": None,
    "appeal": "property",
    "enforcement_application": "enforcement",
    "property_preservation": "preservation",
}


def section_buttons(procedure: Procedure, limit: int = 3, shown: str | None = None) -> list[Button]:
    """Detail buttons, without the one whose section is ``shown`` right now (its
    calculator, "算期限" after the 期限 text, stays)."""
    buttons: list[Button] = []
    for key, title in SECTION_BUTTONS:
        if len(buttons) == limit:
            break
        if key == "deadlines" and procedure.key in DEADLINE_CALCULATORS:
            buttons.append(Button("算期限", payload(procedure.key, flow="deadline")))
        elif key == "fees" and procedure.key in FEE_CALCULATORS:
            kind = FEE_CALCULATORS[procedure.key]
            extra = {"fee_kind": kind} if kind else {}
            buttons.append(Button("算费用", payload("fee_calculation", **extra)))
        elif key in procedure.section_keys and key != shown:
            buttons.append(Button(title, payload(procedure.key, section=key)))
    return [*buttons, HUMAN_BUTTON]


def answer(ctx: Context, key: str, section: str | None = None) -> Turn:
    try:
        procedure = ctx.kb.procedures.get(key)
    except ProcedureLookupError:
        return Turn(
            [Reply("抱歉，这个问题我暂时没有现成的说明，可以转人工导诉员帮您。", (HUMAN_BUTTON,))]
        )
    ctx.state.topic = procedure.key
    if section is not None and section in procedure.section_keys:
        buttons = section_buttons(procedure, shown=section)
        return Turn([Reply(render(procedure, section), tuple(buttons))])
    return Turn([Reply(render(procedure), tuple(section_buttons(procedure)))])
