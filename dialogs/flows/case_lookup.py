"""The case-status and case-money forms: case number → proof of being a party → the record.

Privacy rules (contracts.md §4): nothing is asked of the court before the proof,
so the answer up to then is the same whether or not the case exists; a wrong
proof and an unknown case get the same words. Wrong proofs are counted by
``ctx.attempts`` (dialogs.attempts: per source and case, per source, per case
across everyone), which also says how long a lock lasts.

Proof once per session: a successful proof leaves the court's access grant in
``ctx.grants`` (dialogs.grants, memory only), so the same source asking about the
same case again is answered by reading the case with it; once the grant has
expired, or the court refuses it, the proof is asked for again.
"""

from __future__ import annotations

import math
import re
import unicodedata

from dialogs.court import CaseRecord, CourtRefused, CourtUnavailable
from dialogs.payload import payload
from dialogs.replies import Button, Reply
from dialogs.texts import BUSY, HUMAN_BUTTON, MENU_BUTTON
from dialogs.turn import Context, Turn
from knowledge.case_number import CaseNumberError, parse_case_number
from knowledge.fees import yuan

_PROOF = re.compile(r"^[0-9A-Za-z]{6}$")
#: A proof after the word that names it; NFKC has made "：" a ":" and "６" a "6".
_KEYED_PROOF = re.compile(
    r"(?:查询码|查询密码|查询号|验证码|校验码|(?:身份证|证件)(?:号码|号)?(?:的)?(?:尾号|尾数)|"
    r"(?:身份证|证件)(?:号码|号)?(?:的)?(?:最后|最?后|末尾|末)"
    r"(?:六|6)位(?:数字|数)?|(?:最后|后|末尾|末)(?:六|6)位(?:数字|数)?)"
    r"(?:是|为|:|=|\s)*(?P<proof>[0-9A-Za-z]{6})(?![0-9A-Za-z])"
)
#: Six letters and digits standing alone in the message.
_LONE_PROOF = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{6}(?![0-9A-Za-z])")
#: What a case number looks like, to be taken out even when the NLU did not mark it.
_CASE_NUMBER_SHAPE = re.compile(r"[（(]\s*\d{4}\s*[）)][^\s号]{1,30}?号")
_DIGIT = re.compile(r"[0-9０-９]")
_QUESTION = re.compile(r"[?？]|吗|呢|怎么|什么|哪|啥")
#: A case-money question: the lookup it leads to shows the payments.
_MONEY = re.compile(r"案款|执行款|(?<![借欠要还])钱|款子|赔偿款|款项")
#: Words that ask for the case's progress, whatever the last topic was.
_PROGRESS = re.compile(r"进度|进展|到哪|阶段|怎么样|咋样")
#: What a focused answer is about (``slots["focus"]``); anything else: the whole record.
FOCUSES = ("status", "judge", "hearing", "events", "payments")
#: Said under a record read from the court, so nobody takes it for the court's notice.
SOURCE_NOTE = "以上信息来自法院案件系统，以法院通知为准。"
#: Words of someone who has no case number (or no proof) at hand.
_DONT_KNOW = re.compile(
    r"不知道|不清楚|不记得|记不得|记不清|记不住|忘了|忘记|找不到|找不着|没找到|丢了|弄丢|"
    r"不晓得|没有案号|没案号|怎么查案号|什么是案号|啥是案号|看不懂"
)
#: "在哪看", "哪里找": where to find it — about the number only when the message says so
#: or says nothing else ("等一下 在哪交费" asks about paying).
_WHERE = re.compile(r"在哪|哪里|哪儿|怎么找|咋找|上哪")
_ABOUT_NUMBER = re.compile(r"案号|号码|编号|查询码|号在|这个号")
_WHERE_ONLY = re.compile(r"^[\W_]*(在哪|哪里|哪儿|怎么找|咋找|上哪)(看|找|查|有|呢|啊|呀)*[\W_]*$")

ASK_NUMBER = "请发送您的案号，比如（2025）内0602民初1234号。"
ASK_PROOF = (
    "为保护当事人隐私，请输入本案的查询码（6位），或任一方当事人身份证号的后六位。"
    "我们不会保存您输入的内容。"
)
WRONG_PROOF = (
    "案号或验证信息不匹配，请核对后重新输入查询码或身份证号后六位（还可以再试 {left} 次）。"
)
AGAIN_PROOF = "请输入6位查询码，或身份证号的最后六位（数字或字母X）。"
NUMBER_FIRST = (
    "请先发送案号，比如（2025）内0602民初1234号。为保护隐私，您刚才输入的验证信息没有保存，"
    "收到案号后请再输入一次。"
)
NOT_A_NUMBER = "没看懂，这好像不是案号。"
#: Where a case number is printed: shared/domain/disputes.md §3.1 (12368: facts §5.10).
WHERE_NUMBER = (
    "没关系。案号印在法院给您的受理案件通知书（或应诉通知书）、交纳诉讼费用通知书、传票上，"
    "判决书、裁定书、调解书的标题下方右侧也有，样子像（2025）内0602民初1234号。"
    "找到后发给我就行。都找不到的话，可以带身份证到诉讼服务中心或拨打12368诉讼服务热线查询，"
    "也可以点“转人工”，请导诉员帮您。"
)
STILL_NO_NUMBER = (
    "没有案号我没法替您查询。可以点“转人工”，请导诉员帮您；"
    "也可以带身份证到诉讼服务中心或拨打12368诉讼服务热线查询。"
)
LATER = "好的，先不查了。找到案号后随时发给我；需要帮忙可以点“转人工”。"
NO_PROOF = (
    "没有查询码的话，也可以输入任一方当事人身份证号的最后六位。"
    "都没有的话，可以点“转人工”，请导诉员帮您。"
)
LOCKED = "这个案号验证失败次数过多，为保护当事人信息，请 {minutes} 分钟后再试，或转人工导诉员帮您。"
#: The court's own lock on the number, when it did not say for how long.
COURT_LOCKED = (
    "这个案号验证失败次数过多，法院系统暂时停止了它的查询。"
    "为保护当事人信息，请稍后再试，或转人工导诉员帮您。"
)


def looks_like_proof(text: str) -> bool:
    return bool(_PROOF.match(text.strip()))


def extract_proof(ctx: Context) -> str | None:
    """The 6-character proof in this message, upper-cased, or None.

    Found after a word that names it ("查询码是K7M2Q9", "身份证后六位123456",
    "后6位：12345x"), or alone once the proof was asked for or beside the case number
    ("K7M2Q9", "是011238", "（2025）内0602民初1234号 011238").
    The case number is taken out first, so its digits are never read as a proof.
    """
    if ctx.is_payload:
        return None
    text = unicodedata.normalize("NFKC", _without_case_numbers(ctx))
    if (keyed := _KEYED_PROOF.search(text)) is not None:
        return keyed["proof"].upper()
    if ctx.state.requested != "proof" and ctx.entity("case_number") is None:
        return None
    if looks_like_proof(text):
        return text.strip().upper()  # the whole message: letters only are a proof too
    alone = [t for t in _LONE_PROOF.findall(text) if any(ch.isdigit() for ch in t)]
    return alone[0].upper() if len(alone) == 1 else None


def names_a_proof(text: str) -> bool:
    """The text gives a proof after the word that names it ("查询码是…", "身份证后六位…")."""
    return _KEYED_PROOF.search(unicodedata.normalize("NFKC", text)) is not None


def _without_case_numbers(ctx: Context) -> str:
    text = ctx.text
    spans = sorted(
        (e["start"], e["end"])
        for e in ctx.parse.get("entities", [])
        if e.get("entity") == "case_number"
        and isinstance(e.get("start"), int)
        and isinstance(e.get("end"), int)
    )
    for start, end in reversed(spans):
        text = text[:start] + " " + text[end:]
    return _CASE_NUMBER_SHAPE.sub(" ", text)


def unknown_number(text: str) -> bool:
    """The litigant does not have the case number: "不知道案号", "忘了", "在哪看"."""
    if _DONT_KNOW.search(text):
        return True
    return bool(_WHERE.search(text)) and bool(_ABOUT_NUMBER.search(text) or _WHERE_ONLY.match(text))


#: A try at a case number, however mistyped: a type code or 号 after digits ("民初10234号",
#: "（2026）蒙0602民初10234号"). Kept in the form so the mistake is explained.
_NUMBER_ATTEMPT = re.compile(
    r"[（(]\s*\d{4}\s*[）)]|\d{4}\s*[^\d\s]{1,2}\d{4}|"
    r"(民|刑|行|执|赔|破|财保|执恢|执保|执异|执复|执监)(初|终|再|申|撤|特|辖|督|恢|保|异|复|监)?\s*\d+\s*号?"
)


def claims(ctx: Context) -> bool:
    """An answer to this form's question the NLU cannot read: keep it in the form."""
    if ctx.is_payload:
        return False
    if ctx.state.requested == "case_number" and unknown_number(ctx.text):
        return True
    if ctx.state.requested == "case_number" and _NUMBER_ATTEMPT.search(ctx.text):
        return True  # "（2026）蒙0602民初10234号": told what is wrong with it
    if ctx.state.requested == "proof" and unknown_number(ctx.text):
        return True
    return ctx.state.requested in ("case_number", "proof") and extract_proof(ctx) is not None


def lookup_form(ctx: Context) -> str:
    """The lookup a case number leads to: ``case_payment`` after a case-money question
    (this message, or the last topic answered), else ``case_status``."""
    if ctx.intent == "case_payment":
        return "case_payment"
    if ctx.is_payload or _PROGRESS.search(ctx.text):
        return "case_status"  # the 查案件进度 button, or words that ask for the progress
    money = _MONEY.search(ctx.text) or ctx.state.topic == "case_payment"
    return "case_payment" if money else "case_status"


def canonical(number: str) -> str:
    """The case number as limits and grants key it: one key however it was typed."""
    try:
        return parse_case_number(number).canonical
    except CaseNumberError:
        return number.strip()


def start(ctx: Context, form: str, focus: str | None = None) -> Turn:
    """Begin a lookup; the case number of the previous lookup is offered again.
    ``focus`` (one of :data:`FOCUSES`) narrows the answer to what was asked; without
    one, a status lookup after a case-money question is the case-money lookup."""
    if form == "case_status" and focus is None:
        form = lookup_form(ctx)
    ctx.state.start_form(form, **({"focus": focus} if focus else {}))
    if ctx.state.last_case and ctx.entity("case_number") is None:
        ctx.state.slots["case_number"] = ctx.state.last_case
        ctx.state.slots["reused"] = True
    return step(ctx)


def step(ctx: Context) -> Turn:
    """Case number and proof may come in one message, in either order, or apart.

    Every turn that may carry a proof is stored masked (``redact_inbound``); the
    court is asked only once both are known.
    """
    slots = ctx.state.slots
    number = ctx.entity("case_number")
    proof = extract_proof(ctx)
    if isinstance(number, str):
        slots["case_number"] = number
        slots.pop("proof_asked", None)
    if "case_number" not in slots:
        turn = _ask_number(ctx, proof is not None)
        turn.redact_inbound = turn.redact_inbound or proof is not None
        return turn
    ctx.state.last_case = slots["case_number"]
    if proof is None and (granted := answer_with_grant(ctx, slots["case_number"])) is not None:
        return granted  # proved earlier in this session: no proof, and no lock, to ask about
    wait = ctx.attempts.blocked(canonical(slots["case_number"]), ctx.sender, ctx.now)
    if wait is not None:
        ctx.state.end_form()
        return Turn([_locked(wait)], redact_inbound=proof is not None)
    if proof is not None:
        return _lookup(ctx, slots["case_number"], proof)
    if not slots.get("proof_asked"):
        slots["proof_asked"] = True
        ctx.state.requested = "proof"
        lead = f"继续查询案号{slots['case_number']}。" if slots.get("reused") else ""
        return Turn([Reply(lead + ASK_PROOF)])
    if unknown_number(ctx.text):
        return Turn([Reply(NO_PROOF, (HUMAN_BUTTON,))], redact_inbound=True, reasked=True)
    return Turn([Reply(AGAIN_PROOF)], redact_inbound=True, reasked=True)


def _ask_number(ctx: Context, proof_given: bool) -> Turn:
    text = ctx.text.strip()
    asked = ctx.state.requested == "case_number"
    ctx.state.requested = "case_number"
    if ctx.is_payload or not text:
        return Turn([Reply(ASK_NUMBER)])
    if proof_given:
        return Turn([Reply(NUMBER_FIRST)], reasked=asked)
    if unknown_number(text):
        ctx.state.slots["unknown"] = ctx.state.slots.get("unknown", 0) + 1
        if ctx.state.slots["unknown"] >= 3:
            ctx.state.end_form()  # the same offer a third time would help nobody
            return Turn([Reply(LATER, (HUMAN_BUTTON, MENU_BUTTON))])
        if ctx.state.slots["unknown"] == 2:
            return Turn([Reply(STILL_NO_NUMBER, (HUMAN_BUTTON,))])
        return Turn([Reply(WHERE_NUMBER, (HUMAN_BUTTON,))])
    if not asked:
        return Turn([Reply(ASK_NUMBER)])
    if not _DIGIT.search(text) or _QUESTION.search(text):
        return Turn([Reply(NOT_A_NUMBER + ASK_NUMBER)], reasked=True)
    try:
        parse_case_number(text)
    except CaseNumberError as exc:
        return Turn([Reply(f"这个案号好像不对：{exc}。{ASK_NUMBER}")], reasked=True)
    return Turn([Reply(ASK_NUMBER)], reasked=True)


def _locked(seconds: int) -> Reply:
    return Reply(LOCKED.format(minutes=max(1, math.ceil(seconds / 60))), (HUMAN_BUTTON,))


def _lookup(ctx: Context, number: str, proof: str) -> Turn:
    try:
        access = ctx.court.lookup(number, proof)
    except CourtRefused as refused:  # the court's own lock: say so, not "系统繁忙"
        ctx.state.end_form()
        wait = refused.retry_after
        reply = _locked(wait) if wait else Reply(COURT_LOCKED, (HUMAN_BUTTON,))
        return Turn([reply], redact_inbound=True)
    except CourtUnavailable:
        ctx.state.end_form()
        return Turn([Reply(BUSY, (HUMAN_BUTTON,))], redact_inbound=True)
    if access is None:
        failure = ctx.attempts.record_failure(canonical(number), ctx.sender, ctx.now)
        if failure.locked_seconds is not None:
            ctx.state.end_form()
            return Turn([_locked(failure.locked_seconds)], redact_inbound=True)
        ctx.state.slots["proof_asked"] = True  # the next message is read as a proof again
        ctx.state.requested = "proof"
        return Turn([Reply(WRONG_PROOF.format(left=failure.left))], redact_inbound=True)
    ctx.attempts.record_success(canonical(number), ctx.sender)
    ctx.grants.keep(ctx.sender, access.grant, ctx.now)  # the token, never the proof
    turn = _answer(ctx, access.record)
    turn.redact_inbound = True
    return turn


def answer_with_grant(ctx: Context, number: str) -> Turn | None:
    """The answer read with the grant this source holds for ``number``; None when it holds
    none or the court no longer accepts it (the grant is dropped: the proof is asked)."""
    key = canonical(number)
    grant = ctx.grants.live(ctx.sender, key, ctx.now)
    if grant is None:
        return None
    try:
        record = ctx.court.read(grant)
    except CourtUnavailable:
        ctx.state.end_form()
        return Turn([Reply(BUSY, (HUMAN_BUTTON,))])
    if record is None:
        ctx.grants.drop(ctx.sender, key)
        return None
    return _answer(ctx, record)


def _answer(ctx: Context, record: CaseRecord) -> Turn:
    """The record for the open lookup form (its focus, if any); the form is done."""
    form = ctx.state.form or "case_status"
    focus = ctx.state.slots.get("focus")
    ctx.state.last_case = record.case_number
    ctx.state.topic = form
    ctx.state.end_form()
    if form == "case_payment" or focus == "payments":
        text = payments_text(record, ctx)
        materials = payload("case_payment", section="materials")
        buttons = (Button("领取要带什么", materials), HUMAN_BUTTON)
    else:
        text = focused_text(record, ctx, focus if isinstance(focus, str) else "status")
        buttons = (Button("查案款", payload("case_payment", flow="check")), HUMAN_BUTTON)
    return Turn([Reply(text, buttons)])


def focused_text(record: CaseRecord, ctx: Context, focus: str) -> str:
    """Only what a follow-up asked about ("法官是谁", "什么时候开庭"), or the whole record."""
    if focus == "judge":
        if not (record.judge or record.clerk):
            return f"案号：{record.case_number}\n法院案件系统里暂时没有承办法官和书记员的信息。"
        return "\n".join([f"案号：{record.case_number}", _judge_line(record), SOURCE_NOTE])
    if focus == "hearing":
        return "\n".join([f"案号：{record.case_number}", _hearing_line(record, ctx), SOURCE_NOTE])
    if focus == "events":
        lines = [f"案号：{record.case_number}", f"当前阶段：{record.stage}", *_event_lines(record)]
        return "\n".join([*lines, SOURCE_NOTE])
    return status_text(record, ctx)


def _judge_line(record: CaseRecord) -> str:
    return f"承办法官：{record.judge or '—'}；书记员：{record.clerk or '—'}"


def _hearing_line(record: CaseRecord, ctx: Context) -> str:
    upcoming = [h for h in record.hearings if h.at >= ctx.now]
    if upcoming:
        nearest = min(upcoming, key=lambda h: h.at)
        room = f"，{nearest.room}" if nearest.room else ""
        return f"下次开庭：{nearest.at:%Y-%m-%d %H:%M}{room}"
    past = [h for h in record.hearings if h.at < ctx.now]
    if past:
        latest = max(past, key=lambda h: h.at)
        room = f"，{latest.room}" if latest.room else ""
        return f"目前没有查到接下来的开庭安排。上次开庭：{latest.at:%Y-%m-%d %H:%M}{room}"
    return "目前没有查到这个案件的开庭安排。"


def _event_lines(record: CaseRecord) -> list[str]:
    if not record.events:
        return []
    latest = sorted(record.events, key=lambda e: e.on)[-3:]
    return ["最近进展：", *(f"  {e.on.isoformat()} {e.what}" for e in latest)]


def status_text(record: CaseRecord, ctx: Context) -> str:
    lines = [
        f"案号：{record.case_number}",
        f"法院：{record.court}",
        f"案由：{record.cause}（{record.procedure}）",
        f"当前阶段：{record.stage}",
    ]
    if record.filed_on:
        lines.append(f"立案日期：{record.filed_on.isoformat()}")
    if any(h.at >= ctx.now for h in record.hearings):
        lines.append(_hearing_line(record, ctx))
    if record.judge or record.clerk:
        lines.append(_judge_line(record))
    lines += _event_lines(record)
    lines.append(SOURCE_NOTE)
    return "\n".join(lines)


def payments_text(record: CaseRecord, ctx: Context) -> str:
    lines = [f"案号：{record.case_number}（{record.court}）"]
    if not record.payments:
        lines.append("目前没有查到这个案件的案款记录。")
    for item in record.payments:
        received = f"，{item.received_on.isoformat()}到账" if item.received_on else ""
        paid = f"，{item.paid_out_on.isoformat()}已发放" if item.paid_out_on else ""
        lines.append(f"案款 {yuan(item.amount)}{received}，状态：{item.status}{paid}")
    lines.append("案款一般在到账后30日内发放，鄂尔多斯各法院的具体期限以法院公告为准。")
    try:
        materials = ctx.kb.procedures.get("case_payment").section("materials")
        lines.append("领取时一般需要：" + "；".join(f.text for f in materials.items[:2]))
    except (KeyError, ValueError):
        pass
    return "\n".join(lines)
