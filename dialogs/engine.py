"""Routing one parsed message to its flow: the heart of the conversation.

Order of precedence: a request to delete the litigant's records ("删除我的记录",
recognised by rules in dialogs.flows.forget, not by the NLU) and its pending
confirmation come first; then questions about the litigant's own case ("法官是谁",
"那案款呢", "案号忘了", rules in dialogs.flows.case_followup, which read the case only
with a proof or a kept court token); then cancel and requests for a human; an open form
gets the message next (unless the litigant plainly changed the subject); then
the two-stage fallback for messages the NLU is unsure of; then the intent's flow.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from dialogs import choices, corrections, repeats, texts
from dialogs.attempts import MemoryProofAttempts, ProofAttempts
from dialogs.court import CourtGateway
from dialogs.flows import answer, case_followup, case_lookup, deadline, fee, forget, template
from dialogs.grants import CaseGrants
from dialogs.hours import BusinessHours, when_text
from dialogs.kb import KnowledgeBase
from dialogs.payload import payload
from dialogs.replies import Button, Reply
from dialogs.slots import check_parse, explain
from dialogs.state import DialogState
from dialogs.turn import Context, Handoff, Turn
from knowledge.intents import INTENT_LABELS, INTENTS

#: Below this the NLU's guess is treated as a miss (stage one of the fallback).
FALLBACK_THRESHOLD = 0.40
#: Inside a form, a different intent must be at least this sure to leave the form.
SWITCH_THRESHOLD = 0.60
#: Forms and the step function that continues each.
FORM_STEPS = {
    "fee": fee.step,
    "deadline": deadline.step,
    "case_status": case_lookup.step,
    "case_payment": case_lookup.step,
    "template": template.step,
}
#: A sure question of another flow longer than this is not read as a loose answer.
LOOSE_LENGTH = 6
#: Forms that recognise answers of their own the NLU cannot know (a proof, "不知道案号").
FORM_CLAIMS = {
    "case_status": case_lookup.claims,
    "case_payment": case_lookup.claims,
}
#: Intents that keep an open form going (answers to its questions).
FORM_ANSWERS = {"affirm", "deny"}
#: Intent of the form each form belongs to (a repeat of it keeps the form).
FORM_INTENTS = {
    "fee": {"fee_calculation"},
    "deadline": {
        "appeal",
        "retrial_application",
        "enforcement_application",
        "property_preservation",
    },
    "case_status": {"case_status"},
    "case_payment": {"case_payment"},
    "template": {"pleading_template"},
}
#: Entities that answer the question a form asked.
SLOT_ENTITIES = {
    "amount",
    "date",
    "case_number",
    "case_category",
    "fee_kind",
    "deadline_kind",
    "template",
}
#: The entities each form fills its slots from: a refused one is explained while it asks.
FORM_ENTITIES = {
    "fee": frozenset({"amount", "fee_kind", "case_category"}),
    "deadline": frozenset({"date", "deadline_kind"}),
    "case_status": frozenset({"case_number"}),
    "case_payment": frozenset({"case_number"}),
    "template": frozenset({"template", "case_category"}),
}


class DialogEngine:
    def __init__(
        self,
        kb: KnowledgeBase,
        court: CourtGateway,
        hours: BusinessHours,
        attempts: ProofAttempts | None = None,
        grants: CaseGrants | None = None,
    ) -> None:
        """``attempts`` counts wrong proofs; in memory unless the caller shares a store.
        ``grants`` keeps the court's tokens of this process's proofs (dialogs.grants)."""
        self.kb = kb
        self.court = court
        self.hours = hours
        self.attempts: ProofAttempts = attempts or MemoryProofAttempts()
        self.grants = grants if grants is not None else CaseGrants()
        self.known_intents = frozenset(INTENTS)

    def turn(
        self, state: DialogState, parse: dict[str, Any], now: datetime, *, sender: str
    ) -> Turn:
        """One message of ``sender`` (any stable id of who writes; only its hash is kept);
        entity values are checked first (dialogs.slots)."""
        source = hashlib.sha256(sender.encode("utf-8")).hexdigest()
        parse, unclear = self._typed_choice(state, parse)
        checked, refused = check_parse(parse, now.date())
        names = frozenset(r.entity for r in refused)
        ctx = Context(
            state,
            checked,
            now,
            self.kb,
            self.court,
            self.hours,
            self.attempts,
            source,
            names,
            grants=self.grants,
        )
        if unclear:
            turn = Turn([Reply(texts.CHOOSE_ONE, unclear)], reasked=True)
        else:
            turn = self._turn(ctx)
        repeats.count(state, turn)
        if case_lookup.names_a_proof(str(parse.get("text", ""))):
            turn.redact_inbound = True  # a proof is never stored verbatim, whoever answered
        if refused and state.form is not None and state.form in FORM_ENTITIES:
            turn.replies = explain(turn.replies, refused, FORM_ENTITIES[state.form])
        # a forgotten conversation starts from a pristine state, without even its buttons
        offered = [] if turn.forget else turn.replies
        state.offered = [[b.title, b.payload] for r in offered for b in r.buttons]
        return turn

    def _typed_choice(
        self, state: DialogState, parse: dict[str, Any]
    ) -> tuple[dict[str, Any], tuple[Button, ...]]:
        """A typed title or place of an offered button acts as that button (dialogs.choices).

        Loose matches only inside a form, and not when the NLU is sure a longer
        message asks something else; a text fitting several buttons is asked about
        only when it carries nothing else for the form. Never for the pending
        "删除我的记录" confirmation, which needs its explicit words.
        """
        if parse.get("payload") or not state.offered or state.form == forget.FORM:
            return parse, ()
        text = str(parse.get("text", ""))
        offered = [choices.Choice(title, data) for title, data in state.offered]
        entities = parse.get("entities", [])
        carries = any(e.get("entity") in SLOT_ENTITIES for e in entities)
        loose = self._loose(state, parse, text)
        found = choices.match(text, offered, fuzzy=loose, places=not carries)
        if found.candidates:
            if carries:
                return parse, ()  # the form fills what the message carries and asks the rest
            return parse, tuple(Button(c.title, c.payload) for c in found.candidates)
        if found.chosen is None:
            return parse, ()
        return choices.pressed(parse, found.chosen, self.known_intents), ()

    def _loose(self, state: DialogState, parse: dict[str, Any], text: str) -> bool:
        if state.form not in FORM_STEPS:
            return False
        intent = parse.get("intent") or {}
        elsewhere = intent.get("name") not in FORM_INTENTS[state.form] | FORM_ANSWERS
        sure = float(intent.get("confidence") or 0.0) >= SWITCH_THRESHOLD
        return not (elsewhere and sure and len(choices.clean(text)) > LOOSE_LENGTH)

    def _turn(self, ctx: Context) -> Turn:
        state = ctx.state
        if (forgetting := forget.step(ctx)) is not None:
            return forgetting  # before anything reads the NLU's intent
        if state.form is None and (corrected := corrections.reopen(ctx, FORM_STEPS)):
            return corrected  # "不对 是6万": the task just answered, again with the new value
        if (about_case := case_followup.step(ctx)) is not None:
            return about_case  # "法官是谁", "那案款呢", "案号忘了": rules, not the NLU's guess
        # An answer only the open form understands ("忘了", "查询码是K7M2Q9") is no cancel
        claimed = state.form in FORM_CLAIMS and FORM_CLAIMS[state.form](ctx)
        unsure = state.form in FORM_STEPS and ctx.confidence < FALLBACK_THRESHOLD
        if ctx.intent == "cancel" and not claimed and (ctx.is_payload or not unsure):
            had_form = state.form is not None
            state.end_form()
            state.misses = 0
            text = texts.CANCELLED if had_form else texts.NOTHING_TO_CANCEL
            return Turn([Reply(text, (texts.MENU_BUTTON,))])
        wants_human = ctx.intent == "request_human" and (
            ctx.is_payload or ctx.confidence >= FALLBACK_THRESHOLD
        )
        if wants_human or _frustrated(ctx.text):
            reason = "user_request" if ctx.intent == "request_human" else "frustration"
            return self.handoff(ctx, reason)
        if state.form is not None and (claimed or self._belongs_to_form(ctx)):
            state.misses = 0
            return FORM_STEPS[state.form](ctx)
        if state.form is not None:
            state.end_form()  # the litigant changed the subject
        if ctx.entity("case_number") and case_lookup.names_a_proof(ctx.text):
            # a case number with its proof asks for the case, however unsure the NLU is
            lookup = ctx.intent if ctx.intent == "case_payment" else "case_status"
            return case_lookup.start(ctx, lookup)
        if ctx.confidence < FALLBACK_THRESHOLD and not ctx.is_payload:
            return self.fallback(ctx)
        if ctx.intent == "deny" and state.clarify:
            handed = self.handoff(ctx, "low_confidence")  # "都不是": the second miss
            handed.fallback = "second"
            return handed
        state.misses = 0
        state.clarify = []
        return self.route(ctx)

    def _belongs_to_form(self, ctx: Context) -> bool:
        form = ctx.state.form or ""
        if ctx.intent in FORM_ANSWERS or ctx.intent in FORM_INTENTS[form]:
            return True
        if ctx.is_payload:
            return False  # a button of another flow
        if any(e.get("entity") in SLOT_ENTITIES for e in ctx.parse.get("entities", [])):
            return True
        if ctx.refused & SLOT_ENTITIES:
            return True  # a mistyped answer to the form's question: ask it again
        return ctx.confidence < SWITCH_THRESHOLD

    def fallback(self, ctx: Context) -> Turn:
        """Stage one: ask "A or B?"; stage two (a second miss in a row): the desk."""
        state = ctx.state
        state.misses += 1
        if state.misses >= 2:
            handed = self.handoff(ctx, "low_confidence")
            handed.fallback = "second"
            return handed
        ranking = [
            r["name"]
            for r in ctx.parse.get("intent_ranking", [])
            if r["name"] not in ("out_of_scope", "affirm", "deny", "cancel")
        ][:2]
        if len(ranking) < 2:
            return Turn([Reply(texts.OUT_OF_SCOPE, texts.MENU)], fallback="first")
        state.clarify = ranking
        a, b = (INTENT_LABELS[name] for name in ranking)
        buttons = (
            Button(a, payload(ranking[0])),
            Button(b, payload(ranking[1])),
            Button(texts.NEITHER, payload("deny")),
        )
        return Turn([Reply(texts.CLARIFY.format(a=a, b=b), buttons)], fallback="first")

    def handoff(self, ctx: Context, reason: str) -> Turn:
        state = ctx.state
        summary = {
            "intent": ctx.intent,
            "confidence": ctx.confidence,
            "topic": state.topic,
            "form": state.form,
            "slots": {k: v for k, v in state.slots.items() if k != "proof_asked"},
            "entities": {
                e["entity"]: e["value"]
                for e in ctx.parse.get("entities", [])
                if e.get("entity") not in ("id_number", "phone")
            },
        }
        state.end_form()
        state.misses = 0
        state.clarify = []
        if self.hours.is_open(ctx.now, self.kb.calendar):
            text = texts.HANDOFF_OPEN
        else:
            opening = self.hours.next_opening(ctx.now, self.kb.calendar)
            hours = self.hours.describe()
            text = (
                texts.HANDOFF_CLOSED.format(hours=hours, when=when_text(opening))
                if opening
                else texts.HANDOFF_CLOSED_UNKNOWN.format(hours=hours)
            )
        return Turn([Reply(text)], handoff=Handoff(reason, summary))

    def route(self, ctx: Context) -> Turn:
        intent = ctx.intent
        flow = ctx.entity("flow")
        section = ctx.entity("section")
        if intent == "greet":
            return Turn([Reply(texts.GREETING, texts.MENU)])
        if intent == "help":
            return Turn([Reply(texts.HELP, texts.MENU)])
        if intent == "thanks":
            return Turn([Reply(texts.THANKS)])
        if intent == "goodbye":
            return Turn([Reply(texts.GOODBYE)])
        if intent in ("affirm", "deny"):
            return Turn([Reply(texts.ANYTHING_ELSE, texts.MENU)])
        if intent == "out_of_scope":
            return Turn([Reply(texts.OUT_OF_SCOPE, (texts.MENU_BUTTON,))])
        if intent == "fee_calculation":
            return fee.start(ctx)
        if intent == "case_status":
            return case_lookup.start(ctx, "case_status")
        if intent == "case_payment" and (flow == "check" or ctx.entity("case_number")):
            return case_lookup.start(ctx, "case_payment")
        if intent == "pleading_template" and section is None:
            return template.start(ctx)
        if intent in deadline.NEXT_STEPS and (flow == "deadline" or ctx.entity("deadline_kind")):
            return deadline.start(ctx, intent)
        if ctx.entity("date") and section is None:
            # "9月30号收到的" right after an appeal/retrial/enforcement answer: count it
            topic = intent if intent in deadline.NEXT_STEPS else ctx.state.topic
            if topic in deadline.NEXT_STEPS:
                return deadline.start(ctx, topic)
        return answer.answer(ctx, intent, section if isinstance(section, str) else None)


def _frustrated(text: str) -> bool:
    return any(word in text for word in texts.FRUSTRATION)
