"""Answers from the question bank (issue 15): the long tail behind the intents.

Used at one place of the engine (its marked hook): when the NLU is unsure, before the
fallback asks "A 还是 B", any entry above the threshold answers; when the NLU is sure,
only an entry marked ``specific`` (narrower than the intent's generic answer:
"小额诉讼判了能上诉吗" is no "可以上诉") and above the higher threshold does. Otherwise
None, and the engine goes on exactly as before.
"""

from __future__ import annotations

from dialogs import followups
from dialogs.payload import payload
from dialogs.replies import Button, Reply
from dialogs.texts import DISCLAIMER, HUMAN_BUTTON
from dialogs.turn import Context, Turn
from knowledge.intents import INTENT_LABELS
from knowledge.questions import source_note
from nlu.qbank import Hit

#: A follow-up this short after an answer ("要交钱吗") is about that answer's topic.
FOLLOW_UP_LENGTH = 8
#: A message this close to a bank question is that question, whatever intent the NLU saw
#: ("判决书丢了怎么补" is no question about service of documents).
VERBATIM, VERBATIM_COVERAGE = 0.9, 0.8
#: Intents whose own flow always comes first: they are things one does, not questions.
OWN_FLOWS = frozenset(
    {
        "greet",
        "goodbye",
        "thanks",
        "affirm",
        "deny",
        "cancel",
        "help",
        "request_human",
        "fee_calculation",
        "case_status",
        "case_payment",
    }
)


def step(ctx: Context, *, unsure: bool) -> Turn | None:
    """The bank's answer to this message, or None (the engine continues as today)."""
    if ctx.is_payload or ctx.state.form is not None or ctx.entity("case_number"):
        return None
    aspect = followups.asked_aspect(ctx.text)
    counts = ctx.entity("date") or (ctx.entity("amount") and aspect == "fees")
    if not unsure and (ctx.intent in OWN_FLOWS or counts):
        return None  # a sure calculation or look-up keeps its flow
    if aspect == "template" or (
        ctx.state.topic is not None and aspect is not None and len(ctx.text) <= FOLLOW_UP_LENGTH
    ):
        return None  # "有模板吗", "那要多久": the topic's own flow answers
    hit = ctx.kb.questions.best(ctx.text, specific_only=not unsure)
    if hit is None:
        return None
    verbatim = hit.score >= VERBATIM and hit.coverage >= VERBATIM_COVERAGE
    if (
        not unsure
        and not verbatim
        and hit.question.intent not in (None, "out_of_scope", ctx.intent)
    ):
        return None  # sure of another intent: the entry is about something else
    return answer(ctx, hit)


def answer(ctx: Context, hit: Hit) -> Turn:
    question = hit.question
    state = ctx.state
    state.misses = 0
    state.clarify = []
    # a specific answer is no topic for "那要多久": the intent's generic answer would follow
    state.topic = None if question.specific else question.intent
    text = f"{question.answer}{source_note(question)}\n\n※ {DISCLAIMER}"
    buttons = [Button(INTENT_LABELS[name], payload(name)) for name in question.buttons]
    return Turn([Reply(text, (*buttons, HUMAN_BUTTON))])
