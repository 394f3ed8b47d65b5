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

from dialogs.court import CaseRecord, CourtUnavailable
from dialogs.payload import payload
from dialogs.replies import Button, Reply
from dialogs.texts import BUSY, HUMAN_BUTTON
from dialogs.turn import Context, Turn
from knowledge.case_number import CaseNumberError, parse_case_number
from knowledge.fees import yuan

_PROOF = re.compile(r"^[0-9A-Za-z]{6}$")

ASK_NUMBER = "请发送您的案号，比如（2025）内0602民初1234号。"
ASK_PROOF = (
    "为保护当事人隐私，请输入本案的查询码（6位），或任一方当事人身份证号的后六位。"
    "我们不会保存您输入的内容。"
)
WRONG_PROOF = (
    "案号或验证信息不匹配，请核对后重新输入查询码或身份证号后六位（还可以再试 {left} 次）。"
)
LOCKED = "这个案号验证失败次数过多，为保护当事人信息，请 {minutes} 分钟后再试，或转人工导诉员帮您。"


def looks_like_proof(text: str) -> bool:
    return bool(_PROOF.match(text.strip()))


def start(ctx: Context, form: str) -> Turn:
    """Begin a lookup; the case number of the previous lookup is offered again."""
    ctx.state.start_form(form)
    if ctx.state.last_case and ctx.entity("case_number") is None:
        ctx.state.slots["case_number"] = ctx.state.last_case
        ctx.state.slots["reused"] = True
    return step(ctx)


def step(ctx: Context) -> Turn:
    slots = ctx.state.slots
    number = ctx.entity("case_number")
    if isinstance(number, str):
        slots["case_number"] = number
        slots.pop("proof_asked", None)
    if "case_number" not in slots:
        return _ask_number(ctx)
    ctx.state.last_case = slots["case_number"]
    wait = ctx.attempts.blocked(_counted(slots["case_number"]), ctx.sender, ctx.now)
    if wait is not None:
        ctx.state.end_form()
        return Turn([_locked(wait)])
    if not slots.get("proof_asked"):
        slots["proof_asked"] = True
        ctx.state.requested = "proof"
        lead = f"继续查询案号{slots['case_number']}。" if slots.get("reused") else ""
        return Turn([Reply(lead + ASK_PROOF)])
    proof = ctx.text.strip()
    if not looks_like_proof(proof):
        return Turn(
            [Reply("请输入6位查询码，或身份证号的最后六位（数字或字母X）。")], redact_inbound=True
        )
    return _lookup(ctx, slots["case_number"], proof.upper())


def _ask_number(ctx: Context) -> Turn:
    text = ctx.text.strip()
    if ctx.state.requested == "case_number" and text and not ctx.is_payload:
        try:
            parse_case_number(text)
        except CaseNumberError as exc:
            return Turn([Reply(f"这个案号好像不对：{exc}。{ASK_NUMBER}")])
    ctx.state.requested = "case_number"
    return Turn([Reply(ASK_NUMBER)])


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
    except CourtUnavailable:
        ctx.state.end_form()
        return Turn([Reply(BUSY, (HUMAN_BUTTON,))], redact_inbound=True)
    if record is None:
        failure = ctx.attempts.record_failure(_counted(number), ctx.sender, ctx.now)
        if failure.locked_seconds is not None:
            ctx.state.end_form()
            return Turn([_locked(failure.locked_seconds)], redact_inbound=True)
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
