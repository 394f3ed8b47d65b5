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
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from dialogs import choices, corrections, followups, pauses, repeats, texts, yesno
from dialogs.attempts import MemoryProofAttempts, ProofAttempts
from dialogs.court import CourtGateway
from dialogs.flows import (
    answer,
    case_followup,
    case_lookup,
    court_finder,
    deadline,
    dispute,
    fee,
    forget,
    question,
    template,
)
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
#: Intents never offered as one of "A 还是 B" (they are not things one comes to do).
NOT_OFFERED = frozenset(
    {"out_of_scope", "affirm", "deny", "cancel", "greet", "goodbye", "thanks", "help"}
)
#: "A 还是 B" only when B is plausible too: at least this sure, and this share of A.
CLARIFY_FLOOR = 0.12
CLARIFY_SHARE = 0.5
#: Intents a plain yes/no word does not override ("谢谢" stays thanks, "算了" a cancel).
KEEP_INTENT = frozenset({"affirm", "deny", "thanks", "goodbye", "greet", "cancel", "request_human"})
#: Below the fallback threshold, an intent this sure and this far ahead is still taken.
CLEAR_FLOOR = 0.30
CLEAR_SHARE = 0.4
CLEAR_MIN_LENGTH = 3
#: "算了 先问问离婚要带啥": a cancel that goes on to ask something else.
_LEAD = (
    r"(?:好吧|那)?(?:算了|不算了|先不算了?|不查了|先不查了?|不弄了|先不弄了?|不找了|不用了|"
    r"不要了|先别(?:算|查|弄|找)?了?|等会儿?|等一会儿?|等一下|等下|等等|先等等|先等一下)"
)
#: One lead or several ("算了 不算了 我问下…"); ``lead`` is the first.
_CANCEL_LEAD = re.compile(rf"^[\W_]*(?P<lead>{_LEAD})(?:[\W_吧啊呀了]*{_LEAD})*[\W_吧啊呀了]*")
#: A lead with this means "wait", not "drop it": the form is paused, not cancelled.
_WAIT = "等"
#: Procedures with a fee the calculator knows; with an amount and "交多少钱" it is computed.
FEE_PROCEDURES = frozenset(
    {"file_civil_case", "appeal", "enforcement_application", "property_preservation"}
)
_FEE_QUESTION = re.compile(
    r"(交|花|要|收|得)多少钱?|多少钱|费用?多少|费得多少|费是多少|几个钱|要交钱|交不交钱|收费吗|"
    r"诉讼费|受理费"
)
#: Facts of the litigant's matter kept for follow-ups (dialogs.followups).
REMEMBERED = ("amount", "date", "case_category")
#: Re-reads a piece of the message ("先问问离婚要带啥") with the NLU.
Reparse = Callable[[str], dict[str, Any]]
#: The aspect each form itself answers (dialogs.followups.asked_aspect).
FORM_ASPECTS = {"fee": "fees", "deadline": "deadlines", "template": "template"}
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
        self,
        state: DialogState,
        parse: dict[str, Any],
        now: datetime,
        *,
        sender: str,
        reparse: Reparse | None = None,
    ) -> Turn:
        """One message of ``sender`` (any stable id of who writes; only its hash is kept);
        entity values are checked first (dialogs.slots). ``reparse`` reads a part of
        the message on its own, for a cancel that goes on to ask something else."""
        source = hashlib.sha256(sender.encode("utf-8")).hexdigest()
        parse, unclear = self._typed_choice(state, parse)
        checked, refused = check_parse(parse, now.date())
        names = frozenset(r.entity for r in refused)
        _remember(state, checked)
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
            turn = self._turn(ctx, reparse)
        repeats.count(state, turn)
        pauses.offer(state, turn, str((parse.get("intent") or {}).get("name") or ""))
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
        if parse.get("payload") or state.form == forget.FORM:
            return parse, ()
        text = str(parse.get("text", ""))
        if not state.offered:
            return self._menu_title(parse, text), ()
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
            return self._menu_title(parse, text), ()
        return choices.pressed(parse, found.chosen, self.known_intents), ()

    def _menu_title(self, parse: dict[str, Any], text: str) -> dict[str, Any]:
        """The main menu's own words typed ("查案款") act as its button, offered or not:
        the WeChat menu and the web chat's first screen show them all the time."""
        menu = [choices.Choice(b.title, b.payload) for b in texts.MENU]
        found = choices.match(text, menu, fuzzy=False, places=False)
        if found.chosen is None:
            return parse
        return choices.pressed(parse, found.chosen, self.known_intents)

    def _loose(self, state: DialogState, parse: dict[str, Any], text: str) -> bool:
        if state.form not in FORM_STEPS:
            return False
        intent = parse.get("intent") or {}
        elsewhere = intent.get("name") not in FORM_INTENTS[state.form] | FORM_ANSWERS
        sure = float(intent.get("confidence") or 0.0) >= SWITCH_THRESHOLD
        return not (elsewhere and sure and len(choices.clean(text)) > LOOSE_LENGTH)

    def _turn(self, ctx: Context, reparse: Reparse | None = None) -> Turn:
        state = ctx.state
        if (forgetting := forget.step(ctx)) is not None:
            return forgetting  # before anything reads the NLU's intent
        if (resumed := pauses.answer(ctx, FORM_STEPS)) is not None:
            return resumed  # "接着算吗？" "好"
        if state.form is None and (corrected := corrections.reopen(ctx, FORM_STEPS)):
            return corrected  # "不对 是6万": the task just answered, again with the new value
        if (about_case := case_followup.step(ctx)) is not None:
            return about_case  # "法官是谁", "那案款呢", "案号忘了": rules, not the NLU's guess
        # An answer only the open form understands ("忘了", "查询码是K7M2Q9") is no cancel
        claimed = state.form in FORM_CLAIMS and FORM_CLAIMS[state.form](ctx)
        unsure = ctx.confidence < FALLBACK_THRESHOLD
        if not claimed and (rest := self._after_lead(ctx, reparse)) is not None:
            return self._turn(rest)  # "算了 先问问离婚要带啥": the question is answered
        if ctx.intent == "cancel" and not claimed and (ctx.is_payload or not unsure):
            had_form = state.form is not None
            state.end_form()
            state.paused = None  # cancel always leaves everything
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
            if _drops(ctx.text):
                state.end_form()  # "算了 先问问立案要带啥": gone, not offered back
            else:
                pauses.pause(state)  # the litigant asks something else first: offered back
        if ctx.entity("case_number") and case_lookup.names_a_proof(ctx.text):
            # a case number with its proof asks for the case, however unsure the NLU is
            lookup = ctx.intent if ctx.intent == "case_payment" else "case_status"
            return case_lookup.start(ctx, lookup)
        # --- hook: the court finder (dialogs.flows.court_finder), issue 15 item 2 ---
        # "该去哪个法院告" / "归哪个法院管" and the answer to its one question ("达旗"),
        # before the follow-ups and the fallback (a bare place name is no sure intent).
        if (found := court_finder.step(ctx)) is not None:
            state.misses = 0
            state.clarify = []
            return found
        # --- end of the court-finder hook ---
        if (followed := followups.follow_up(ctx)) is not None:
            state.misses = 0
            state.clarify = []
            return followed  # "那要多久" after an answer: about that answer's procedure
        if _fee_with_amount(ctx):
            state.misses = 0
            state.clarify = []
            return fee.start(ctx)  # "要交钱吗 借了三万五": a fee with its amount
        # --- issue 15 hook: a litigant's problem gets its dispute path (dialogs.flows.dispute)
        if (path := dispute.step(ctx)) is not None:
            state.misses = 0
            state.clarify = []
            return path  # "公司欠我三个月工资": arbitration first, where, how long, what it costs
        # --- end of the issue 15 hook
        kept = ctx.intent in KEEP_INTENT and ctx.confidence >= FALLBACK_THRESHOLD
        if not ctx.is_payload and not kept and yesno.is_yes_or_no(ctx.text):
            # "中 知道了", "好嘞": a plain yes or no, whatever the NLU made of it
            answered = "affirm" if yesno.is_yes(ctx.text) else "deny"
            ctx = replace(ctx, parse={**ctx.parse, "intent": {"name": answered, "confidence": 1.0}})
        # --- issue 15: question-bank hook (dialogs.flows.question) -----------------------
        unsure_here = ctx.confidence < FALLBACK_THRESHOLD and not _clear_lead(ctx)
        if (banked := question.step(ctx, unsure=unsure_here)) is not None:
            state.misses = 0
            state.clarify = []
            return banked  # unsure: before "A 还是 B"; sure: only a more specific entry
        # --- end of question-bank hook -----------------------------------------------
        if ctx.confidence < FALLBACK_THRESHOLD and not ctx.is_payload and not _clear_lead(ctx):
            return self.fallback(ctx)
        if _loose_yes_or_no(ctx):
            return self.fallback(ctx)  # a question the NLU took for "好" or "不"
        if ctx.intent == "deny" and state.clarify:
            handed = self.handoff(ctx, "low_confidence")  # "都不是": the second miss
            handed.fallback = "second"
            return handed
        state.misses = 0
        state.clarify = []
        return self.route(ctx)

    def _after_lead(self, ctx: Context, reparse: Reparse | None) -> Context | None:
        """The rest of "算了 先问问离婚要带啥" or "等一下 上诉费怎么交" as a message of its own,
        or None when the lead is all the message says (a plain cancel).

        After "算了" the form is left; after "等一下" it is paused and offered back,
        unless the rest answers the form's question ("等一下 是11月20号").
        """
        lead = None if ctx.is_payload else _CANCEL_LEAD.match(ctx.text)
        if lead is None or reparse is None:
            return None
        waits = _WAIT in lead["lead"]
        if ctx.intent != "cancel" and ctx.state.form is None:
            return None
        rest = ctx.text[lead.end() :]
        if len(choices.clean(rest)) < 2:
            return None
        parse, _ = check_parse(reparse(rest), ctx.now.date())
        intent = parse.get("intent") or {}
        sure = float(intent.get("confidence") or 0) >= FALLBACK_THRESHOLD
        # "等一下 执行要带什么" inside a form, however unsure the NLU is of the rest
        asks = ctx.state.form is not None and bool(_ASKING.search(rest))
        if not asks and (intent.get("name") in NOT_OFFERED or not sure):
            return None
        _remember(ctx.state, parse)
        rested = replace(ctx, parse=parse, refused=frozenset())
        if ctx.state.form is None or (waits and self._answers_form(rested)):
            return rested
        if waits:
            pauses.pause(ctx.state)
        else:
            ctx.state.end_form()
            ctx.state.paused = None
        return rested

    def _answers_form(self, ctx: Context) -> bool:
        """Plainly an answer to the open form: its value, its claim, or its own intent."""
        form = ctx.state.form or ""
        if form in FORM_CLAIMS and FORM_CLAIMS[form](ctx):
            return True
        if form == "template":
            return template.answers(ctx)  # "起诉状一定要用模板吗" is no dispute's name
        entities = ctx.parse.get("entities", [])
        if any(e.get("entity") in FORM_ENTITIES[form] for e in entities):
            return True
        return ctx.intent in FORM_ANSWERS | FORM_INTENTS[form] and not _other_aspect(ctx)

    def _belongs_to_form(self, ctx: Context) -> bool:
        form = ctx.state.form or ""
        if ctx.intent in FORM_ANSWERS:
            return True
        if ctx.intent in FORM_INTENTS[form]:
            return not _other_aspect(ctx)  # "上诉要带什么" leaves the appeal deadline form
        if ctx.is_payload:
            return False  # a button of another flow
        if any(e.get("entity") in FORM_ENTITIES[form] for e in ctx.parse.get("entities", [])):
            return not _asks_elsewhere(ctx)  # "离婚的" fills the fee form; "离婚要带啥" asks
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
        ranked = [
            (str(r["name"]), float(r.get("confidence") or 0.0))
            for r in ctx.parse.get("intent_ranking", [])
            if r.get("name") in self.known_intents and r["name"] not in NOT_OFFERED
        ][:2]
        if len(ranked) < 2 or not _both_plausible(ranked[0][1], ranked[1][1]):
            return Turn([Reply(texts.OPEN_QUESTION, texts.MENU)], fallback="first")
        ranking = [name for name, _ in ranked]
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
            "facts": dict(state.facts),  # amount, date, dispute said earlier: staff need not ask
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
        if intent == "fee_calculation" or (
            intent in FEE_PROCEDURES and ctx.entity("amount") and _FEE_QUESTION.search(ctx.text)
        ):
            return fee.start(ctx)  # also "判了十五万 申请执行要交多少钱"
        if intent == "case_status":
            return case_lookup.start(ctx, "case_status")
        if intent == "case_payment" and (flow == "check" or ctx.entity("case_number")):
            return case_lookup.start(ctx, "case_payment")
        if intent == "pleading_template" and section is None:
            if template.asks_if_required(ctx.text):
                return answer.answer(ctx, intent, "notes")  # 不强制使用
            return template.start(ctx)
        if intent in deadline.NEXT_STEPS and (
            flow == "deadline" or ctx.entity("deadline_kind") or deadline.asks_to_count(ctx.text)
        ):
            return deadline.start(ctx, intent)
        if ctx.entity("date") and section is None and deadline.received_decision(ctx.text):
            # "11月20号收到的判决书": the appeal period, whatever else the NLU heard
            return deadline.start(ctx, intent if intent in deadline.NEXT_STEPS else "appeal")
        if ctx.entity("date") and section is None:
            # "9月30号收到的" right after an appeal/retrial/enforcement answer: count it
            topic = intent if intent in deadline.NEXT_STEPS else ctx.state.topic
            if topic in deadline.NEXT_STEPS:
                return deadline.start(ctx, topic)
        if (
            not isinstance(section, str)
            and intent == ctx.state.topic
            and not (ctx.entity("case_category"))
        ):
            section = followups.asked_section(ctx.text)  # "上诉费怎么交" right after 上诉
        return answer.answer(ctx, intent, section if isinstance(section, str) else None)


#: Words of a question: an answer to a form does not ask one back.
_ASKING = re.compile(r"[?？]|吗|呢|怎么|咋|啥|什么|哪|多少|多久|多长|几|如何|能不能|可不可以")


def _drops(text: str) -> bool:
    """The message starts by dropping the form ("算了", "不查了"), not by "等一下"."""
    lead = _CANCEL_LEAD.match(text)
    return lead is not None and _WAIT not in lead["lead"]


def _asks_elsewhere(ctx: Context) -> bool:
    """A longer question the NLU is sure belongs to another flow, though it names a value
    the open form could use: "离婚案子要带啥材料" while the fee form asks the kind."""
    if len(choices.clean(ctx.text)) <= LOOSE_LENGTH or ctx.confidence < SWITCH_THRESHOLD:
        return False
    if followups.asked_aspect(ctx.text) in (None, "fees") and ctx.state.form == "fee":
        return False  # "离婚的要交多少" is the fee form's own question
    return bool(_ASKING.search(ctx.text))


def _other_aspect(ctx: Context) -> bool:
    """A question of the form's own procedure about something the form does not do:
    "上诉要带什么材料" while the deadline form waits for a date."""
    if any(e.get("entity") in FORM_ENTITIES[ctx.state.form or ""] for e in ctx.parse["entities"]):
        return False
    aspect = followups.asked_aspect(ctx.text)
    own = FORM_ASPECTS.get(ctx.state.form or "")
    return aspect is not None and aspect != own and bool(_ASKING.search(ctx.text))


def _fee_with_amount(ctx: Context) -> bool:
    """An amount and a fee question, however the NLU read the rest ("要交钱吗 借了三万五");
    not a question about case money ("案款十万到了吗")."""
    if ctx.is_payload or ctx.entity("amount") is None or not _FEE_QUESTION.search(ctx.text):
        return False
    return ctx.intent not in ("case_payment", "case_status")


def _clear_lead(ctx: Context) -> bool:
    """Unsure in absolute terms, but far ahead of every other intent: "我想算算打官司的钱"
    (0.39 against 0.13) is answered, not asked about (the other side of the margin rule)."""
    ranking = [float(r.get("confidence") or 0.0) for r in ctx.parse.get("intent_ranking", [])]
    second = ranking[1] if len(ranking) > 1 else 0.0
    if ctx.intent in NOT_OFFERED or len(choices.clean(ctx.text)) <= CLEAR_MIN_LENGTH:
        return False  # "咋整啊" says nothing of what it is about
    return ctx.confidence >= CLEAR_FLOOR and second <= CLEAR_SHARE * ctx.confidence


def _both_plausible(first: float, second: float) -> bool:
    """Margin rule: "A 还是 B" only when B is nearly as likely as A."""
    return second >= CLARIFY_FLOOR and second >= CLARIFY_SHARE * first


def _loose_yes_or_no(ctx: Context) -> bool:
    """A message the NLU took for affirm/deny that is no plain yes or no ("就是那个嘛")."""
    if ctx.intent not in FORM_ANSWERS or ctx.is_payload:
        return False
    return not yesno.is_yes_or_no(ctx.text)


def _remember(state: DialogState, parse: dict[str, Any]) -> None:
    """The amount, date and dispute of this message, for the follow-ups that need them."""
    for entity in parse.get("entities", []):
        name = entity.get("entity")
        if name in REMEMBERED and isinstance(entity.get("value"), str):
            state.facts[str(name)] = entity["value"]


def _frustrated(text: str) -> bool:
    return any(word in text for word in texts.FRUSTRATION)
