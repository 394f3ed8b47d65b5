"""How answers look in WeChat: numbered choices, 2,048-byte chunks, CDATA that cannot break."""

from __future__ import annotations

import xmltodict

from bot.channels.wechat_render import (
    choice_number,
    render_text,
    split_text,
    text_reply_xml,
    turn_payloads,
)
from dialogs.replies import Button, Reply


def test_buttons_become_numbered_lines_across_the_turn() -> None:
    replies = [
        Reply("请选择：", (Button("查询案件进度", "/case_status"),)),
        Reply("或者", (Button("转人工", "/request_human"),), image="http://x/qr.png"),
    ]
    text = render_text(replies)
    assert "回复 1 查询案件进度" in text and "回复 2 转人工" in text
    assert "图片：http://x/qr.png" in text
    assert turn_payloads(replies) == ["/case_status", "/request_human"]


def test_typed_numbers_pick_a_choice() -> None:
    assert [choice_number(t) for t in ("1", " 回复 2 ", "回复３", "12。")] == [1, 2, 3, 12]
    assert choice_number("2025年") is None and choice_number("一") is None


def test_long_answers_split_under_2048_bytes_without_losing_text() -> None:
    long = "\n".join(f"第{i}段：" + "诉讼费" * 60 for i in range(30)) + "\n" + "长" * 1000
    chunks = split_text(long)
    assert len(chunks) > 1
    assert all(len(c.encode("utf-8")) <= 2048 for c in chunks)
    assert "".join(chunks).replace("\n", "") == long.replace("\n", "")


def test_cdata_terminator_in_text_cannot_inject_elements() -> None:
    evil = "a]]></Content><MsgType><![CDATA[evil"
    xml = text_reply_xml(to_user="u", from_user="gh", content=evil, create_time=1)
    parsed = xmltodict.parse(xml)["xml"]
    assert parsed["Content"] == evil and parsed["MsgType"] == "text"
