"""The case-status and case-money forms: case number → proof of being a party → the record.

Privacy rules (contracts.md §4): nothing is asked of the court before the proof,
so the answer up to then is the same whether or not the case exists; a wrong
proof and an unknown case get the same words. Wrong proofs are counted by
``ctx.attempts`` (dialogs.attempts: per source and case, per source, per case
across everyone), which also says how long a lock lasts.
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
#: Words of someone who has no case number (or no proof) at hand.
_DONT_KNOW = re.compile(
    r"不知道|不清楚|不记得|记不得|记不清|记不住|忘了|忘记|找不到|找不着|没找到|丢了|弄丢|"
    r"不晓得|没有案号|没案号|在哪|哪里|哪儿|怎么找|咋找|怎么查案号|什么是案号|啥是案号|看不懂"
)

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
    return bool(_DONT_KNOW.search(text))


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


def start(ctx: Context, form: str) -> Turn:
    """Begin a lookup; the case number of the previous lookup is offered again."""
    ctx.state.start_form(form)
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
    wait = ctx.attempts.blocked(_counted(slots["case_number"]), ctx.sender, ctx.now)
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


def _counted(number: str) -> str:
    """The case number as the limits count it: one key however it was typed."""
    try:
        return parse_case_number(number).canonical
    except CaseNumberError:
        return number.strip()


def _locked(seconds: int) -> Reply:
    return Reply(LOCKED.format(minutes=max(1, math.ceil(seconds / 60))), (HUMAN_BUTTON,))


def _lookup(ctx: Context, number: str, proof: str) -> Turn:
    try:
        record = ctx.court.lookup(number, proof)
    except CourtRefused as refused:  # the court's own lock: say so, not "系统繁忙"
        ctx.state.end_form()
        wait = refused.retry_after
        reply = _locked(wait) if wait else Reply(COURT_LOCKED, (HUMAN_BUTTON,))
        return Turn([reply], redact_inbound=True)
    except CourtUnavailable:
        ctx.state.end_form()
        return Turn([Reply(BUSY, (HUMAN_BUTTON,))], redact_inbound=True)
    if record is None:
        failure = ctx.attempts.record_failure(_counted(number), ctx.sender, ctx.now)
        if failure.locked_seconds is not None:
            ctx.state.end_form()
            return Turn([_locked(failure.locked_seconds)], redact_inbound=True)
        ctx.state.slots["proof_asked"] = True  # the next message is read as a proof again
        ctx.state.requested = "proof"
        return Turn([Reply(WRONG_PROOF.format(left=failure.left))], redact_inbound=True)
    ctx.attempts.record_success(_counted(number), ctx.sender)
    form = ctx.state.form
    ctx.state.end_form()
    text = payments_text(record, ctx) if form == "case_payment" else status_text(record, ctx)
    buttons = (
        Button("查案款", payload("case_payment", flow="check"))
        if form != "case_payment"
        else Button("领取要带什么", payload("case_payment", section="materials")),
        HUMAN_BUTTON,
    )
    return Turn([Reply(text, buttons)], redact_inbound=True)


def status_text(record: CaseRecord, ctx: Context) -> str:
    lines = [
        f"案号：{record.case_number}",
        f"法院：{record.court}",
        f"案由：{record.cause}（{record.procedure}）",
        f"当前阶段：{record.stage}",
    ]
    if record.filed_on:
        lines.append(f"立案日期：{record.filed_on.isoformat()}")
    upcoming = [h for h in record.hearings if h.at >= ctx.now]
    if upcoming:
        nearest = min(upcoming, key=lambda h: h.at)
        room = f"，{nearest.room}" if nearest.room else ""
        lines.append(f"下次开庭：{nearest.at:%Y-%m-%d %H:%M}{room}")
    if record.judge or record.clerk:
        lines.append(f"承办法官：{record.judge or '—'}；书记员：{record.clerk or '—'}")
    if record.events:
        lines.append("最近进展：")
        lines += [
            f"  {e.on.isoformat()} {e.what}" for e in sorted(record.events, key=lambda e: e.on)[-3:]
        ]
    lines.append("以上信息来自法院案件系统，以法院通知为准。")
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
