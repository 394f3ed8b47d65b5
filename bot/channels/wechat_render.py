"""Replies as WeChat text: numbered choices, byte-limited chunks, CDATA-safe reply XML.

WeChat text messages have no buttons, so a choice becomes a numbered line
("回复 1 查询案件进度") and the number maps back to the button's payload. A
passive reply's Content is limited to 2,048 UTF-8 bytes (longer ones are
silently dropped by WeChat), so long answers are split on line boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dialogs.replies import Reply

#: WeChat shows nothing for a text reply longer than this (UTF-8 bytes).
MAX_TEXT_BYTES = 2048
#: "1", "回复1", "回复 1", "１" (full width), with surrounding blanks.
_CHOICE = re.compile(r"^\s*(?:回复)?\s*([0-9０-９]{1,2})\s*[。.]?\s*$")


def render_text(replies: Sequence[Reply]) -> str:
    """One text for a whole turn; buttons numbered across the turn, images as links."""
    parts: list[str] = []
    number = 0
    for reply in replies:
        lines: list[str] = []
        if reply.text:
            lines.append(reply.text)
        if reply.image:
            lines.append(f"图片：{reply.image}")
        for button in reply.buttons:
            number += 1
            lines.append(f"回复 {number} {button.title}")
        if lines:
            parts.append("\n".join(lines))
    return "\n\n".join(parts)


def turn_payloads(replies: Sequence[Reply]) -> list[str]:
    """The payloads in the order ``render_text`` numbered them (choice 1 is index 0)."""
    return [button.payload for reply in replies for button in reply.buttons]


def choice_number(text: str) -> int | None:
    """The number a litigant typed to pick a numbered choice, or None."""
    match = _CHOICE.match(text)
    if match is None:
        return None
    digits = match[1].translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return int(digits)


def split_text(text: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """Chunks of at most ``limit`` UTF-8 bytes, cut at line ends where possible."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line.encode("utf-8")) > limit:  # one line longer than a chunk
            head = _prefix_within(line, limit)
            if current:
                chunks.append(current)
                current = ""
            chunks.append(head)
            line = line[len(head) :]
        if len((current + line).encode("utf-8")) > limit:
            chunks.append(current)
            current = ""
        current += line
    if current:
        chunks.append(current)
    return [chunk.strip("\n") for chunk in chunks if chunk.strip()]


def _prefix_within(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")[:limit]
    return encoded.decode("utf-8", errors="ignore")


def cdata(value: str) -> str:
    """A CDATA section that stays one section even when ``value`` contains ``]]>``."""
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply_xml(*, to_user: str, from_user: str, content: str, create_time: int) -> str:
    """The passive text reply (wechatpy's TextReply does not escape ``]]>``)."""
    return (
        "<xml>"
        f"<ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{create_time}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content>"
        "</xml>"
    )
