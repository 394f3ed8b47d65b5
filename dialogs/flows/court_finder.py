"""Which court: "该去哪个法院告", "在哪个法院起诉", "归哪个法院管".

The rule comes from the message (its words and the case_category entity), or from
what the litigant said earlier (DialogState.facts case_category, the last topic);
the places from the message (knowledge.places: "他家在达旗", "在东胜出的车祸"). When
the rule's place is missing, ONE question is asked ("对方住在哪个旗区？") with the
nine banners/districts and "不在鄂尔多斯" as buttons; a typed answer ("达旗", "在包头")
does as well. The answer names the court(s) with the rule in words and its article,
or — outside Ordos — the court by rule and 跨域立案 here. An answer the finder cannot
use ("不清楚") gets the general rule and the desk.

Not a form of the engine: the pending question is kept in DialogState.facts under
``court_finder`` (the desk skips objects there) and is only answered right after it
was asked (its buttons are the ones on offer).
"""

from __future__ import annotations

import re
from typing import Any

from dialogs.payload import payload
from dialogs.replies import Button, Reply
from dialogs.texts import HUMAN_BUTTON
from dialogs.turn import Context, Turn
from knowledge.court_finder import (
    REMINDER,
    TOPIC_RULES,
    CourtFinder,
    Finding,
    load_court_finder,
    rule_for,
)
from knowledge.disputes import load_disputes
from knowledge.places import Place, find_places

INTENT = "jurisdiction"
#: The topic prefix of a dispute-path answer (dialogs.flows.dispute).
DISPUTE_TOPIC = "dispute:"
KEY = "court_finder"
#: The payload value of the "不在鄂尔多斯" button.
OUTSIDE = "鄂尔多斯以外"
OUTSIDE_TITLE = "不在鄂尔多斯"
#: Longest first message, in characters (issue 15 §6).
LIMIT = 300
#: A where-to-sue question in any words ("那去哪个法院告", "归哪管", "在哪起诉").
WHERE_TO_SUE = re.compile(
    r"(?:哪个|哪家|哪一个|哪里的?|哪儿的?|什么)法院|"
    r"(?:去|在|到|向)(?:哪|哪里|哪儿|什么地方|啥地方)(?:去)?(?:告|起诉|立案|打官司|打|诉)|"
    r"归哪|哪(?:里|儿)?管|谁管|管辖(?!权异议)|"
    r"(?:在|去|到)(?:我|他|她|对方)(?:这边|那边|这|那)(?:告|起诉)"
)
#: Questions about another step's court, answered by that procedure (上诉状交给原审法院 …).
_OTHER_STEP = re.compile(
    r"上诉|再审|申诉|执行|保全|交费|缴费|退费|地址|电话|在哪儿?办公|几点|怎么走|管辖权异议|"
    r"网上立案|跨域"
)
#: Words of "I do not know".
_UNSURE = re.compile(r"不知道|不清楚|不确定|不晓得|不好说|说不好|不记得|忘了|没准|不一定")
#: A county-level-or-above government (ALL art.15): 旗/区/市/县/自治区 政府, not 镇/乡/苏木.
_GOVERNMENT = re.compile(r"(?:旗|区|市|县|盟|自治区)(?:人民)?政府|行署")
#: The litigant asks about 人民法庭 or a town/street: which 法庭 is local knowledge.
_TRIBUNAL = re.compile(r"法庭|苏木|嘎查|镇|乡|街道|社区")
#: The question asked for each rule's missing place.
QUESTIONS = {
    "defendant_home": "对方（被告）住在哪个旗区？",
    "accident": "事故是在哪个旗区发生的？",
    "property": "房子（工地、土地等不动产）在哪个旗区？",
    "employer": "用人单位在哪个旗区？",
    "deceased_home": "老人去世前住在哪个旗区？（或者主要遗产在哪）",
    "agency": "作出行政行为的机关在哪个旗区？",
    "event": "事情是在哪个旗区发生的？",
    "buyer_home": "您（买方）住在哪个旗区？",
    "insured_home": "被保险人住在哪个旗区？",
    "victim_home": "您住在哪个旗区？",
    "arbitration": "仲裁委员会在哪个旗区？",
}
#: The procedure a finder's answer leads to ("那要带啥" afterwards).
NEXT_TOPIC = {
    "administrative": "file_administrative_case",
    "private_prosecution": "file_criminal_private",
}
CROSS_REGION_BUTTON = Button("跨域立案怎么办", payload("file_cross_region"))
FILING_BUTTON = Button("起诉要带什么", payload("file_civil_case", section="materials"))


def place_buttons(finder: CourtFinder) -> tuple[Button, ...]:
    places = [Button(p.name, payload(INTENT, place=p.name)) for p in finder.gazetteer.places]
    return (*places, Button(OUTSIDE_TITLE, payload(INTENT, place=OUTSIDE)))


def asks_where_to_sue(ctx: Context) -> bool:
    """A question of which court hears the litigant's matter (not another step's court)."""
    if ctx.is_payload:
        return ctx.intent == INTENT and ctx.entity("section") is None
    if _OTHER_STEP.search(ctx.text):
        return False
    if ctx.intent == INTENT and ctx.confidence >= 0.40:
        return True
    return bool(WHERE_TO_SUE.search(ctx.text)) and ("法院" in ctx.text or _sues(ctx.text))


def _sues(text: str) -> bool:
    return bool(re.search(r"告|起诉|立案|打官司|管", text))


def _pending(ctx: Context) -> dict[str, Any] | None:
    """The question asked in the last answer, if its buttons are still the ones on offer."""
    pending = ctx.state.facts.get(KEY)
    if not isinstance(pending, dict) or not pending.get("asked"):
        return None
    offered = any(
        data.startswith(f"/{INTENT}{{") and '"place"' in data for _, data in ctx.state.offered
    )
    return pending if offered else None


def step(ctx: Context) -> Turn | None:
    """The hook of dialogs.engine: the answer to the finder's question, a where-to-sue
    question, or None when the message is neither."""
    pending = _pending(ctx)
    if pending is not None:
        answered = _answer(ctx, pending)
        if answered is not None:
            return answered
        ctx.state.facts.pop(KEY, None)  # something else: the question is let go
    if asks_where_to_sue(ctx) and not _for_the_dispute_path(ctx):
        return start(ctx)
    if _place_after_a_dispute(ctx):
        return start(ctx)  # "他住达旗" right after the dispute path said which court by rule
    return None


def _place_after_a_dispute(ctx: Context) -> bool:
    """A short message naming a place, right after a dispute-path answer."""
    if ctx.is_payload or not (ctx.state.topic or "").startswith(DISPUTE_TOPIC):
        return False
    if len(ctx.text) > 24 or _OTHER_STEP.search(ctx.text):
        return False
    finder = load_court_finder()
    return any(role != "court_named" for role, _ in _mentions(ctx, finder))


def _for_the_dispute_path(ctx: Context) -> bool:
    """A where-question with no place, about a problem the dispute paths know ("借给朋友
    五万 去哪个法院告", or "在哪告" right after a dispute answer): the path answers with its
    rule in words and what comes first; the finder names the court once a place is said."""
    if ctx.is_payload:
        return False
    finder = load_court_finder()
    if any(role != "court_named" for role, _ in _mentions(ctx, finder)):
        return False
    if (ctx.state.topic or "").startswith(DISPUTE_TOPIC):
        return True
    category = ctx.entity("case_category")
    return (
        load_disputes().match(ctx.text, category if isinstance(category, str) else None) is not None
    )


def _mentions(ctx: Context, finder: CourtFinder) -> list[tuple[str, Place]]:
    return [
        (m.role, m.place)
        for m in find_places(ctx.text, finder.gazetteer)
        if m.role not in ("court_named",)
    ]


def _rule_key(ctx: Context) -> tuple[str, bool]:
    """The rule of this matter and whether it was known (False: the general rule)."""
    category = ctx.entity("case_category") or ctx.state.facts.get("case_category")
    key = rule_for(ctx.text, category if isinstance(category, str) else None, ctx.state.topic)
    return (key, True) if key is not None else ("defendant_domicile", False)


#: A question of the court's level, not its place: "标的500万是中院管还是基层法院管".
_LEVEL = re.compile(
    r"中院管|中级法院管|中院打|基层法院管|级别管辖|管不了|案子太大|标的额?多大|多大的案子"
)
LEVEL_ANSWER = (
    "普通民事案件一审由基层法院（包括它的人民法庭）审理，在鄂尔多斯就是有管辖权的旗区法院"
    "（民事诉讼法第18条）。中级法院一审的，主要是重大涉外案件、在本辖区有重大影响的案件；"
    "按最高法2021年的标准，诉讼标的额5亿元以上（当事人都在省内）或1亿元以上（一方在省外）的"
    "才由中级法院一审（法发〔2021〕27号）。告旗（县）级以上人民政府的行政案件由中级法院一审（行政诉讼法第15条）。\n"
    + REMINDER
)


def start(ctx: Context) -> Turn:
    finder = load_court_finder()
    level = _LEVEL.search(ctx.text) and "政府" not in ctx.text
    if level and not find_places(ctx.text, finder.gazetteer):
        return Turn([Reply(LEVEL_ANSWER, (FILING_BUTTON, HUMAN_BUTTON))])
    key, known = _rule_key(ctx)
    rule = finder.rule(key)
    mentions = _mentions(ctx, finder)
    # a place named without a cue ("达旗的 离婚去哪告") is the place the rule asks for
    places = [(rule.ask if role == "unknown" else role, p) for role, p in mentions]
    if ctx.is_payload and isinstance(ctx.entity("place"), str):
        place = finder.gazetteer.by_name(str(ctx.entity("place")))
        if place is not None:
            places.append((rule.ask, place))
    pending = {
        "rule": rule.key,
        "known": known,
        "government": bool(_GOVERNMENT.search(ctx.text)),
        "agreement": "约定" in ctx.text,
        "tribunal": bool(_TRIBUNAL.search(ctx.text)),
        "places": [[role, p.name] for role, p in places],
    }
    return _finish(ctx, finder, pending)


def _answer(ctx: Context, pending: dict[str, Any]) -> Turn | None:
    """The reply to "对方住在哪个旗区？": a place (button or typed) or "不清楚"."""
    finder = load_court_finder()
    asked = str(pending["asked"])
    place: Place | None = None
    if ctx.is_payload:
        if ctx.intent != INTENT or not isinstance(ctx.entity("place"), str):
            return None
        place = finder.gazetteer.by_name(str(ctx.entity("place")))
        extra = [(asked, place)] if place is not None else []
    else:
        mentions = _mentions(ctx, finder)
        extra = [(_as_answer(role, asked), p) for role, p in mentions]
        if not extra:
            if _UNSURE.search(ctx.text):
                return _general(ctx, finder, pending)
            return None
        if len(ctx.text) > 30 and not any(p.outside or p.known for _, p in extra):
            return None
    places = list(pending.get("places") or [])
    places += [[role, p.name] for role, p in extra if p is not None]
    pending = {**pending, "places": places}
    if all(p is not None and not p.outside and not p.known for _, p in extra):
        if pending.get("reasked"):
            return _general(ctx, finder, pending)
        pending["reasked"] = True  # "鄂尔多斯": which banner/district, once more
    return _finish(ctx, finder, pending)


#: Questions of where something is or happened: "我在杭锦旗" answers them too.
_WHERE_IT_IS = frozenset({"event", "accident", "property", "agency", "arbitration"})


def _as_answer(role: str, asked: str) -> str:
    """The role of a place typed in answer to the question about ``asked``."""
    if role == "unknown" or (role == "plaintiff_home" and asked in _WHERE_IT_IS):
        return asked
    return role


def _finish(ctx: Context, finder: CourtFinder, pending: dict[str, Any]) -> Turn:
    pairs = [
        (str(role), place)
        for role, name in pending["places"]
        if (place := finder.gazetteer.by_name(str(name))) is not None
    ]
    amount = ctx.entity("amount") or ctx.state.facts.get("amount")
    finding = finder.find(
        str(pending["rule"]),
        pairs,
        government=bool(pending.get("government")),
        agreement=bool(pending.get("agreement")),
        amount=_number(amount),
    )
    if not finding.found:
        reasked = bool(pending.get("asked"))
        ctx.state.facts[KEY] = {**pending, "asked": finding.missing}
        question = QUESTIONS.get(str(finding.missing), "在哪个旗区？")
        if pending.get("reasked"):
            question = "具体是鄂尔多斯的哪个旗区？"
        text = f"{finding.rule.text}。\n请问{question}"
        return Turn([Reply(text, place_buttons(finder))], reasked=reasked)
    ctx.state.facts.pop(KEY, None)
    category = ctx.entity("case_category")
    path = (
        None
        if ctx.is_payload
        else load_disputes().match(ctx.text, category if isinstance(category, str) else None)
    )
    if path is not None:
        ctx.state.topic = DISPUTE_TOPIC + path.dispute.key  # "要带啥" next: the path's list
    elif (ctx.state.topic or "").removeprefix(DISPUTE_TOPIC) not in TOPIC_RULES:
        ctx.state.topic = NEXT_TOPIC.get(finding.rule.key, "file_civil_case")
    buttons: list[Button] = []
    if finding.outside:
        buttons.append(CROSS_REGION_BUTTON)
    if finding.rule.key not in NEXT_TOPIC:
        buttons.append(FILING_BUTTON)
    buttons.append(HUMAN_BUTTON)
    return Turn([Reply(describe(finding, pending), tuple(buttons))])


def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def describe(finding: Finding, pending: dict[str, Any]) -> str:
    """The court(s), the rule in words with its article, notes and the reminder (≤ 300)."""
    rule = finding.rule
    lines: list[str] = []
    if finding.courts:
        said = "，".join(f"{c.label}在{c.place.name}" for c in finding.courts)
        names = "或".join(c.court.name for c in finding.courts if c.court is not None)
        same_role = len({c.role for c in finding.courts}) == 1 and len(finding.courts) > 1
        if same_role and rule.key == "defendant_domicile":
            lines.append(
                f"{said}：户籍地和经常居住地不一致的，由连续居住满1年的经常居住地法院管辖，"
                f"即{names}之一。"
            )
        else:
            lines.append(f"按您说的，{said}，可以到{names}起诉。")
    for out in finding.outside:
        where = "鄂尔多斯以外" if out.place.name == OUTSIDE else out.place.name
        lines.append(
            f"{out.label}在{where}：按规定应向{out.by_rule}起诉。不用跑外地，"
            "可以到鄂尔多斯任一法院的诉讼服务中心申请跨域立案，由当地法院转交管辖法院。"
        )
    lines.append(f"依据：{rule.text}（{rule.basis}）。")
    extra = list(finding.notes)
    if pending.get("tribunal") and finding.courts:
        extra.append("具体由哪个人民法庭受理，以法院公告为准。")
    if not pending.get("known"):
        extra.append("房屋、交通事故、劳动争议、继承等有特别规定，可以告诉我是什么纠纷。")
    for line in extra:  # as many as fit: the court, the rule and the reminder always stay
        if len("\n".join([*lines, line, REMINDER])) <= LIMIT:
            lines.append(line)
    return "\n".join([*lines, REMINDER])


def _general(ctx: Context, finder: CourtFinder, pending: dict[str, Any]) -> Turn:
    """No usable place: the rule in words, the general rule, and the desk."""
    ctx.state.facts.pop(KEY, None)
    rule = finder.rule(str(pending["rule"]))
    general = finder.rule("defendant_domicile")
    lines = [f"依据：{rule.text}（{rule.basis}）。"]
    if rule.key != general.key:
        lines.append(f"一般原则：{general.text}。")
    lines += [
        "拿不准的，可以转人工导诉员帮您看，或拨打12368诉讼服务热线。",
        "立错了法院，法院会告诉您应向哪个法院起诉。",
        REMINDER,
    ]
    return Turn([Reply("\n".join(lines), (HUMAN_BUTTON, CROSS_REGION_BUTTON))])
