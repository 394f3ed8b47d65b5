"""Forgetting a conversation at the litigant's request ("删除我的记录").

Recognition is a small rule-based matcher, not an intent: the NLU's label set
is a fixed contract (shared/spec/intents.yaml). The engine asks :func:`step`
first, before anything reads the NLU result, so the request is recognised in
any state of the conversation. The matcher prefers precision to recall: the
request must name a deletion (or "do not keep") *and* this chat or the
litigant's own records, and nothing that points at court matters (撤诉,
删除被告, evidence, judgments, credit records …) or at a question about a
deletion that already happened ("聊天记录删了怎么恢复"). A litigant it misses
can still use the button payload ``/forget_me``.

The flow: request → what will and will not be deleted, with [确认删除] [取消] →
only an explicit confirmation (the button, or typing 确认删除) sets
``Turn.forget``; bot.conversation then deletes the transcript in the same
transaction that stores the answer, and the dialog state starts afresh; the
court's access grants this conversation held (dialogs.grants) are dropped at once.
Cancel, "不删了" or any other question leaves everything as it was.
"""

from __future__ import annotations

import json
import re
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Literal

from dialogs.payload import payload
from dialogs.replies import Button, Reply
from dialogs.state import DialogState
from dialogs.texts import MENU_BUTTON
from dialogs.turn import Context, Turn
from nlu.normalize import normalize

#: The button payload: not an intent (``/forget_me`` is never one of the contract's labels).
COMMAND = "forget_me"
#: The dialog form while a confirmation is pending, and how long it stays pending.
FORM = "forget"
CONFIRM_MINUTES = 10
CONFIRM_BUTTON = Button("确认删除", payload(COMMAND, confirm=True))
CANCEL_BUTTON = Button("取消", payload("cancel"))
#: What a menu (web chat, the WeChat official account's menu) may offer.
REQUEST_BUTTON = Button("删除我的记录", payload(COMMAND))

EXPLAIN = (
    "您要删除在这里的对话记录吗？\n"
    "确认后会删除：\n"
    "1. 您和智能助手、导诉员在这里的全部聊天内容；\n"
    "2. 您留给导诉台的回电号码；\n"
    "3. 您对服务的评分。\n"
    "不会删除：\n"
    "1. 您已经向法院提交的材料（比如立案材料）；\n"
    "2. 法院自己的案件记录（案件进度、案款等）；\n"
    "3. 一份不含聊天内容、不含个人信息的操作记录（比如某时转过人工），供法院核查服务情况。\n"
    "您手机微信、Telegram 里看到的聊天记录，需要您自己在微信或 Telegram 里删除。\n"
    "删除后无法恢复。请点“确认删除”或“取消”。"
)
AGAIN = "为防止误删，请点“确认删除”（或回复“确认删除”）；不删除请点“取消”。"
DONE = (
    "您在这里的对话记录已删除，包括聊天内容、回电号码和评分；系统只保留这一条提示。"
    "已向法院提交的材料和法院的案件记录不受影响。现在重新开始，有需要可以随时问我。"
)
KEPT = "好的，已取消，您的记录没有删除。还有什么可以帮您？"

# --- recognition ---------------------------------------------------------------

_COMMAND = re.compile(r"^/forget_me(?P<json>\{.*\})?$", re.S)
#: Punctuation, spaces and emoji-like symbols are dropped before matching.
_NOISE = re.compile(r"[\s\W_]+")
#: A message longer than this is a story or a question, not a request to forget.
MAX_LENGTH = 40

_VERB = "删|清除|清空|清掉|清理|抹掉|抹去|销毁|移除|去掉"
_NO_KEEP = (
    "(?:请不要|不要|别|不许|不准|请勿|勿)再?(?:帮我|给我|替我)?"
    "(?:保存|保留|存储|储存|留存|留着|留下|存|留|记录|记下|记)"
)
#: Things that are this chat by their very name.
_CHAT_THINGS = (
    "聊天记录|对话记录|会话记录|咨询记录|聊天内容|对话内容|会话内容|聊天历史|对话历史"
    "|历史记录|聊天信息|个人信息|个人资料|个人数据|隐私信息|聊天|对话|会话"
)
#: Things that are the litigant's only with a pointer (我的记录, 刚才说的话).
_OWNED_THINGS = (
    "记录|信息|资料|数据|说的话|发的话|说过的话|留言|消息|回电号码|电话号码|手机号码|手机号|电话"
)
_THING = f"(?:{_CHAT_THINGS}|{_OWNED_THINGS})"
_POINTER = re.compile(r"我|咱|这里|这边|在这|刚才|刚刚|之前|以前|所有|全部|本次|这次")
_REQUEST = (
    re.compile(f"(?:{_VERB}).{{0,12}}?{_THING}"),  # 删除我的记录, 清除我们刚才的对话
    re.compile(f"{_THING}.{{0,6}}?(?:{_VERB})"),  # 把我的信息删了, 聊天记录都删掉
    re.compile(f"{_NO_KEEP}.{{0,8}}?{_THING}"),  # 不要保存我的记录
    re.compile(f"{_THING}.{{0,4}}?{_NO_KEEP}"),  # 我的聊天记录别保存
)
#: Words that point at a court matter or at a past deletion: never a request to forget.
_NOT_OURS = re.compile(
    "撤诉|撤回|撤销|起诉|诉讼|诉状|被告|原告|第三人|当事人|对方|(?<!其)[他她]|老板|公司|单位"
    "|证据|截图|公证|恢复|找回|还原|怎么办|不小心|误删|已经删|被删|删[了掉除]的"
    "|判决|裁定|裁判|文书|案件|案子|案号|卷宗|笔录|庭审|开庭|立案|上诉|材料|合同"
    "|预约|缴费|交费|退费|案款"
    "|失信|征信|信用|限高|限制消费|黑名单|执行|犯罪|案底|前科|档案|户口|户籍|公安|派出所"
    "|网上|网站|网页上|公开|公示|公告|银行|流水|转账|短信|通话|通讯录|朋友圈|微博|抖音"
)
#: A deletion that is negated ("记录不要删") is not a request.
_NEGATED_VERB = re.compile(
    f"(?:(?<![能可要会])不|别|没|勿|未)[要用必想能会]?再?(?:帮我|给我|替我)?(?:{_VERB})"
)
#: Without a word of the chat itself, "法院" means the court's own records.
_COURT = re.compile("法院|法官|书记员")
_CHAT_WORD = re.compile("聊天|对话|会话|咨询记录")

#: What a litigant may type to confirm, once the question is on screen.
_TYPED_CONFIRMATIONS = frozenset({"确认删除", "确定删除", "确认", "确定", "确认删", "确定删"})
_DECLINE = re.compile("取消|算了|不删|别删|不要删|不用删|先不|不用了|不要了|再想想|不确定")
_TYPED_DECLINES = frozenset({"不", "否", "不要", "不用", "不是", "no", "n"})
#: Up to this length, a message with 删 in it answers the open question ("删吧", "都删了吧").
_SHORT_YES_LENGTH = 8


def _clean(text: str) -> str:
    return _NOISE.sub("", normalize(text).text)


def wants_to_forget(text: str) -> bool:
    """Whether ``text`` asks to delete this conversation's records (typed words, not a payload)."""
    clean = _clean(text)
    if not clean or len(clean) > MAX_LENGTH:
        return False
    if _NOT_OURS.search(clean) or _NEGATED_VERB.search(clean):
        return False
    if _COURT.search(clean) and not _CHAT_WORD.search(clean):
        return False
    for pattern in _REQUEST:
        for match in pattern.finditer(clean):
            if _names_our_chat(match.group(), clean):
                return True
    return False


def _names_our_chat(span: str, clean: str) -> bool:
    """A bare 记录/信息 counts only with a pointer to the litigant or this chat."""
    if re.search(_CHAT_THINGS, span):
        return True
    return bool(_POINTER.search(clean))


def command(text: str) -> Literal["request", "confirm"] | None:
    """The ``/forget_me`` payload: ``confirm`` for the confirmation button, else ``request``."""
    match = _COMMAND.match(text.strip())
    if match is None:
        return None
    if match["json"]:
        try:
            values = json.loads(match["json"])
        except json.JSONDecodeError:
            return "request"
        if isinstance(values, dict) and values.get("confirm") is True:
            return "confirm"
    return "request"


def typed_confirmation(text: str) -> bool:
    return _clean(text) in _TYPED_CONFIRMATIONS


# --- the flow ------------------------------------------------------------------


def step(ctx: Context) -> Turn | None:
    """The turn for a forget request or a pending confirmation; None: not ours, route as usual."""
    asked = command(ctx.text)
    if ctx.state.form == FORM and _expired(ctx):
        ctx.state.end_form()  # a question left open too long is not answered by a later "确认"
    if ctx.state.form != FORM:
        if asked is not None or wants_to_forget(ctx.text):
            return ask(ctx)  # a confirmation button pressed late asks again, never deletes
        return None
    if asked == "confirm" or (asked is None and typed_confirmation(ctx.text)):
        return forget(ctx)
    if asked == "request" or wants_to_forget(ctx.text):
        return ask(ctx)
    clean = _clean(ctx.text)
    declined = clean in _TYPED_DECLINES or _DECLINE.search(clean) is not None
    # "删吧", "好的": wants it, but not in so many words (the NLU may read "删吧" as cancel)
    vague_yes = not declined and (
        ("删" in clean and len(clean) <= _SHORT_YES_LENGTH and not _NOT_OURS.search(clean))
        or ctx.intent == "affirm"
    )
    if vague_yes:
        return Turn([Reply(AGAIN, (CONFIRM_BUTTON, CANCEL_BUTTON))])
    if declined or ctx.intent in ("cancel", "deny"):
        ctx.state.end_form()
        return Turn([Reply(KEPT, (MENU_BUTTON,))])
    ctx.state.end_form()  # another question: nothing is deleted, it is answered as usual
    return None


def ask(ctx: Context) -> Turn:
    """Say what will and will not be deleted; wait for 确认删除 or 取消."""
    state = ctx.state
    state.start_form(FORM, asked_at=ctx.now.isoformat())
    state.requested = "confirm"
    state.misses = 0
    state.clarify = []
    return Turn([Reply(EXPLAIN, (CONFIRM_BUTTON, CANCEL_BUTTON))])


def _expired(ctx: Context) -> bool:
    try:
        asked_at = datetime.fromisoformat(str(ctx.state.slots.get("asked_at")))
    except ValueError:
        return True
    return ctx.now - asked_at > timedelta(minutes=CONFIRM_MINUTES)


def forget(ctx: Context) -> Turn:
    """Confirmed: the state starts afresh here, the store deletes the transcript (Turn.forget),
    and the court's access grants of this conversation are dropped (proof asked again)."""
    ctx.grants.forget(ctx.sender)
    fresh = DialogState()
    for item in fields(DialogState):
        setattr(ctx.state, item.name, getattr(fresh, item.name))
    return Turn([Reply(DONE, (MENU_BUTTON,))], forget=True)
