"""Questions about the litigant's own case, recognised by rules before the NLU routes.

After a status answer the NLU may read "法官是谁" or "那案款呢" as anything, so the
engine asks :func:`step` first. It recognises:

- follow-ups about the last case ("谁是承办法官", "什么时候开庭", "最近有啥进展",
  "钱到了没", "还在审吗"): the lookup starts again for ``state.last_case`` with the
  question's focus. With a live grant (dialogs.grants) the case is read at once and
  only the focus is answered; without one the proof is asked as for any lookup
  ("继续查询案号…") and the focus answered after it. A message naming a case
  number asks about that case: without a grant of its own, its proof is asked.
- personal case-money questions with no case yet ("我的执行款到账了吗", "钱发了没有"):
  a short answer and the case-money lookup, so the payments are shown after the proof.
- "我不知道案号" outside a lookup (inside, case_lookup answers it): where the number
  is printed, and a person to ask.

Nothing about a case is said here: every answer goes through case_lookup, which
reads the court only with a proof or a live grant (the no-oracle rule).
"""

from __future__ import annotations

import re
from dataclasses import replace

from dialogs.flows import case_lookup
from dialogs.replies import Reply
from dialogs.texts import FRUSTRATION, HUMAN_BUTTON
from dialogs.turn import Context, Turn
from nlu.normalize import normalize

#: The forms whose own questions these rules must not answer in their place.
LOOKUP_FORMS = ("case_status", "case_payment")
#: A longer message is a story or another question, not a follow-up.
MAX_LENGTH = 30
#: Said before asking for the case number of a personal case-money question.
MONEY_LEAD = "案款到没到账、发没发放，要查您这个案件在法院系统里的记录。"

_NOISE = re.compile(r"[\s\W_]+")
#: A person wanted, or the question dropped: the engine's handoff and cancel answer it.
_NOT_OURS = re.compile(r"人工|真人|客服|工作人员|算了|不查了|不问了|取消")
_ROLE = r"(?:法官|审判员|审判长|承办人|主审|书记员|办案的|管我案子的|管这个案子的)"
_WHO = r"(?:谁|哪位|哪个|叫什么|叫啥|名字|姓什么|姓啥|是哪)"
_JUDGE = re.compile(f"{_ROLE}.{{0,6}}?{_WHO}|{_WHO}.{{0,4}}?{_ROLE}")
_WHEN_WHERE = (
    r"(?:什么时候|啥时候|哪天|哪一天|几号|几月|几点|时间|日子|"
    r"在哪|在那|哪个法庭|哪个庭|几号庭|地点|哪里)"
)
_TRIAL = r"(?:开庭|庭审|过堂|上庭|出庭)"
_HEARING = re.compile(
    f"{_WHEN_WHERE}.{{0,6}}?{_TRIAL}|{_TRIAL}.{{0,8}}?{_WHEN_WHERE}|"
    r"(?:哪个|哪一个|几号|什么|啥)法庭|法庭在哪"  # "在哪个法庭": a courtroom is a hearing's
)
_EVENTS = re.compile(
    r"进展|动静|新消息|有消息|新情况|最新情况|有啥变化|有什么变化|最近咋样|最近怎么样"
)
_STATUS = re.compile(
    r"还在审|审完|审结|判了|判下来|判没判|结案|结了没|进度|到哪一步|到哪步|到哪了|"
    r"什么阶段|啥阶段|怎么样了|咋样了|立上了|立案了没"
)
_MONEY = re.compile(r"案款|执行款|赔偿款|款子|款项|钱")
_MONEY_STATE = re.compile(
    r"到账|到了|到没|到位|发了|发没|发放|发下来|发给|打给|打过来|打来|打到|转给|转过来|给我|"
    r"领|拿到|呢$|了吗|了没|没有|吗$|没$"
)
#: How-to and fee questions about money are procedure questions, not about the case.
_NOT_STATUS = re.compile(
    r"怎么(?!还)|如何|咋(?!还)|流程|带什么|要带|材料|手续|需要什么|交|缴|诉讼费|费用|多少钱|要钱|借|"
    r"多久|多长时间|几天|一般"  # "案款多久能发下来": the rule (30 days), not this case
)
_PERSONAL = re.compile(r"我|俺|咱")
_BARE_MONEY = re.compile(r"^(?:那|那个)?钱")
#: The case number, as typed or misheard ("案好" by voice input).
_NUMBER_WORD = re.compile(r"案号|案好|按号|安号|案件号|案子号|案件编号|编号")


def _clean(text: str) -> str:
    return _NOISE.sub("", normalize(text).text)


def focus_of(text: str) -> str | None:
    """What a question about one's case asks for: a value of case_lookup.FOCUSES, or None."""
    clean = _clean(text)
    if not clean or len(clean) > MAX_LENGTH:
        return None
    if _JUDGE.search(clean):
        return "judge"
    if _HEARING.search(clean):
        return "hearing"
    if _MONEY.search(clean) and _MONEY_STATE.search(clean) and not _NOT_STATUS.search(clean):
        return "payments"
    if _EVENTS.search(clean):
        return "events"
    if _STATUS.search(clean):
        return "status"
    return None


def personal_money(text: str) -> bool:
    """A case-money status question about one's own money ("我的执行款到账了吗", "钱发了没有")."""
    clean = _clean(text)
    return focus_of(text) == "payments" and bool(
        _PERSONAL.search(clean) or _BARE_MONEY.search(clean)
    )


def asks_where_number(text: str) -> bool:
    """The litigant has no case number at hand: "我不知道我的案号", "案号在哪看", "案号忘了咋办"."""
    clean = _clean(text)
    return (
        len(clean) <= MAX_LENGTH
        and bool(_NUMBER_WORD.search(clean))
        and case_lookup.unknown_number(clean)
    )


def step(ctx: Context) -> Turn | None:
    """The turn for a question about one's case; None: not one, route as usual."""
    if ctx.is_payload or _NOT_OURS.search(ctx.text) or any(w in ctx.text for w in FRUSTRATION):
        return None
    state = ctx.state
    if state.form in LOOKUP_FORMS:
        # the lookup's own questions are its own; only "钱发了没有" while it waits for the
        # number turns a status lookup into the case-money one
        waiting = state.form == "case_status" and state.requested == "case_number"
        money = waiting and personal_money(ctx.text) and not case_lookup.claims(ctx)
        return _money_lookup(ctx) if money else None
    number = ctx.entity("case_number")
    if number is None and asks_where_number(ctx.text):
        return where_number(ctx)
    focus = focus_of(ctx.text)
    if focus is None:
        return None
    if isinstance(number, str) or state.last_case is not None:
        # the named case, else the last one: read with its grant, or its proof is asked
        form = "case_payment" if focus == "payments" else "case_status"
        return case_lookup.start(ctx, form, focus)
    if personal_money(ctx.text):
        return _money_lookup(ctx)
    if focus == "judge":  # "法官是谁" before any case: the number first, then that answer
        return case_lookup.start(ctx, "case_status", focus)
    return None


def _money_lookup(ctx: Context) -> Turn:
    """A short answer, then the case-money lookup asks for the case number."""
    turn = case_lookup.start(ctx, "case_payment")
    first = turn.replies[0]
    turn.replies[0] = replace(first, text=MONEY_LEAD + (first.text or ""))
    return turn


def where_number(ctx: Context) -> Turn:
    """Where the case number is printed; the lookup waits for it (a second "找不到" there
    offers a person)."""
    form = "case_payment" if ctx.state.topic == "case_payment" else "case_status"
    ctx.state.start_form(form, unknown=1)
    ctx.state.requested = "case_number"
    return Turn([Reply(case_lookup.WHERE_NUMBER, (HUMAN_BUTTON,))])
