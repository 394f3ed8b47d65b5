"""The template flow: a case category or plain words → the right model text(s), QR and link."""

from __future__ import annotations

import re

from dialogs.payload import payload
from dialogs.replies import Button, Reply
from dialogs.texts import HUMAN_BUTTON
from dialogs.turn import Context, Turn
from knowledge.model_texts import ModelText

COMMON = (
    ("借钱不还", 2),
    ("离婚", 1),
    ("交通事故", 6),
    ("欠工资", 5),
    ("房屋租赁", 14),
    ("申请强制执行", 18),
)
#: The form's name in the dialog state (``DialogState.done`` after a text was sent).
FORM = "template"
ASK = "请问是什么纠纷？比如：借钱不还、离婚、交通事故、欠工资。也可以直接说您遇到的事。"
WHERE = (
    "也可以在“人民法院在线服务”小程序的文书模板中找到，"
    "或到诉讼服务中心领取纸质文本、请工作人员帮填。"
)


#: "一定要用模板吗", "必须用范本吗": whether, not which — the notes answer it.
_REQUIRED = re.compile(r"(一定|必须|非得|必需|强制|非要|只能).{0,6}(用|要|使用|按)")


def asks_if_required(text: str) -> bool:
    return bool(_REQUIRED.search(text))


def answers(ctx: Context) -> bool:
    """The message names a model text or a dispute: an answer to "请问是什么纠纷？"."""
    if ctx.entity("template") is not None or ctx.entity("case_category") is not None:
        return True
    return not ctx.is_payload and bool(ctx.kb.model_texts.match(ctx.text, limit=1))


def start(ctx: Context) -> Turn:
    ctx.state.start_form(FORM)
    return step(ctx)


def ask_group(ctx: Context, key: str) -> Turn:
    """The texts of one field ("行政": 11 kinds of act) to choose from, the form open."""
    catalogue = ctx.kb.model_texts
    group = catalogue.group(key)
    members = [t for t in catalogue.all() if t.group == key]
    if group is None or not members:
        return start(ctx)
    ctx.state.start_form(FORM)
    ctx.state.requested = "words"
    buttons = tuple(
        Button(t.name, payload("pleading_template", template=t.number)) for t in members
    )
    return Turn([Reply(f"{group.name}案件的示范文本分{len(members)}种，请问是哪一种？", buttons)])


def step(ctx: Context) -> Turn:
    catalogue = ctx.kb.model_texts
    number = ctx.entity("template")
    texts: list[ModelText] = []
    if isinstance(number, int) and (chosen := catalogue.by_number(number)) is not None:
        texts = [chosen]
    else:
        category = ctx.entity("case_category")
        by_name = catalogue.by_name(category) if isinstance(category, str) else None
        if by_name is not None:
            texts = [by_name]
        elif not ctx.is_payload:
            texts = [m.text for m in catalogue.match(ctx.text, limit=2)]
    if not texts:
        asked_before = ctx.state.requested == "words"
        ctx.state.requested = "words"
        lead = "没找到对应的示范文本。" if asked_before else ""
        buttons = tuple(
            Button(label, payload("pleading_template", template=n)) for label, n in COMMON
        )
        return Turn([Reply(lead + ASK, buttons)], reasked=asked_before)
    # "那离婚的呢" / "借钱的" next asks for another model text; the topic stays the
    # procedure talked about, so "那要多久" is still about it
    ctx.state.complete_form()
    replies = [
        Reply(
            f"《{text.name}》示范文本（{'、'.join(text.documents)}）\n"
            f"点开链接或扫码下载：{text.url}",
            image=ctx.kb.qr_url(text.number),
        )
        for text in texts
    ]
    replies.append(Reply(WHERE + "示范文本鼓励使用，不是必须使用。", (HUMAN_BUTTON,)))
    return Turn(replies)
